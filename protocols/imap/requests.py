"""Typed requests: one frozen dataclass per command (STYLE.md habit 2).

Mailbox names are Unicode (decoded from modified UTF-7 or UTF-8); "INBOX" is
normalised. Commands that have a UID form carry ``uid``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from postvak.protocols.imap.fetch import FetchItem
from postvak.protocols.imap.search import SearchKey
from postvak.protocols.imap.seqset import SequenceSet


@dataclass(frozen=True)
class Capability:
    pass


@dataclass(frozen=True)
class Noop:
    pass


@dataclass(frozen=True)
class Logout:
    pass


@dataclass(frozen=True)
class StartTls:
    pass


@dataclass(frozen=True)
class Authenticate:
    """RFC 9051 6.2.2; ``initial_response`` is the raw SASL-IR token (RFC 4959): base64 or "="."""

    mechanism: str
    initial_response: bytes | None = None


@dataclass(frozen=True)
class Login:
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class Enable:
    """RFC 5161: capability names, upper-cased."""

    capabilities: tuple[str, ...]


@dataclass(frozen=True)
class QResync:
    """RFC 7162 3.2.5: QRESYNC parameters of SELECT/EXAMINE."""

    uidvalidity: int
    modseq: int
    known_uids: SequenceSet | None = None
    seq_match: tuple[SequenceSet, SequenceSet] | None = None  # (known sequence set, matching uid set)


@dataclass(frozen=True)
class Select:
    """SELECT, or EXAMINE when ``readonly``."""

    mailbox: str
    readonly: bool = False
    condstore: bool = False
    qresync: QResync | None = None


@dataclass(frozen=True)
class Create:
    mailbox: str
    special_use: tuple[str, ...] = ()  # RFC 6154 3: CREATE ... (USE (\Drafts))


@dataclass(frozen=True)
class Delete:
    mailbox: str


@dataclass(frozen=True)
class Rename:
    old: str
    new: str


@dataclass(frozen=True)
class Subscribe:
    mailbox: str


@dataclass(frozen=True)
class Unsubscribe:
    mailbox: str


@dataclass(frozen=True)
class List:
    """LIST with RFC 5258 LIST-EXTENDED options and RFC 5819 LIST-STATUS."""

    reference: str
    patterns: tuple[str, ...]
    selection: frozenset[str] = frozenset()  # SUBSCRIBED REMOTE RECURSIVEMATCH SPECIAL-USE
    returns: frozenset[str] = frozenset()  # CHILDREN SUBSCRIBED SPECIAL-USE STATUS
    status_items: tuple[str, ...] = ()  # for RETURN (STATUS (...))
    extended: bool = False  # any LIST-EXTENDED syntax was used (RFC 5258 3)


@dataclass(frozen=True)
class Lsub:
    reference: str
    pattern: str


@dataclass(frozen=True)
class Namespace:
    pass


@dataclass(frozen=True)
class Status:
    mailbox: str
    items: tuple[str, ...]  # MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE HIGHESTMODSEQ DELETED


@dataclass(frozen=True)
class AppendMessage:
    flags: tuple[str, ...]
    internal_date: datetime | None
    data: bytes = field(repr=False)
    binary: bool = False  # sent as literal8 (RFC 3516 4.4): may hold NULs, unknown CTE allowed
    utf8: bool = False  # sent as the UTF8 data item (RFC 6855 4): only valid after ENABLE UTF8=ACCEPT


@dataclass(frozen=True)
class Append:
    """APPEND; several messages for MULTIAPPEND (RFC 3502)."""

    mailbox: str
    messages: tuple[AppendMessage, ...]


@dataclass(frozen=True)
class Idle:
    pass


@dataclass(frozen=True)
class Check:
    pass


@dataclass(frozen=True)
class Close:
    pass


@dataclass(frozen=True)
class Unselect:
    pass


@dataclass(frozen=True)
class Expunge:
    """EXPUNGE, or UID EXPUNGE (RFC 4315 2.1) when ``uids`` is set."""

    uids: SequenceSet | None = None

    @property
    def uid(self) -> bool:
        return self.uids is not None


@dataclass(frozen=True)
class Search:
    key: SearchKey
    uid: bool = False
    charset: str | None = None
    returns: tuple[str, ...] | None = None  # RFC 4731 ESEARCH: None = plain SEARCH response


@dataclass(frozen=True)
class Fetch:
    seqset: SequenceSet
    items: tuple[FetchItem, ...]
    uid: bool = False
    changedsince: int | None = None  # RFC 7162 3.1.4.1
    vanished: bool = False  # RFC 7162 3.2.6 (UID FETCH only)
    macro: str | None = None  # ALL / FAST / FULL when given as a macro


@dataclass(frozen=True)
class Store:
    seqset: SequenceSet
    mode: str  # "+" add, "-" remove, "" replace
    flags: tuple[str, ...]
    silent: bool = False
    uid: bool = False
    unchangedsince: int | None = None  # RFC 7162 3.1.3


@dataclass(frozen=True)
class Copy:
    seqset: SequenceSet
    mailbox: str
    uid: bool = False


@dataclass(frozen=True)
class Move:
    seqset: SequenceSet
    mailbox: str
    uid: bool = False


@dataclass(frozen=True)
class SortCriterion:
    key: str  # ARRIVAL CC DATE FROM SIZE SUBJECT TO DISPLAYFROM DISPLAYTO
    reverse: bool = False


@dataclass(frozen=True)
class Sort:
    criteria: tuple[SortCriterion, ...]
    charset: str
    key: SearchKey
    uid: bool = False
    returns: tuple[str, ...] | None = None  # RFC 5267 ESORT


@dataclass(frozen=True)
class Thread:
    algorithm: str  # REFERENCES ORDEREDSUBJECT
    charset: str
    key: SearchKey
    uid: bool = False


@dataclass(frozen=True)
class GetQuota:
    root: str


@dataclass(frozen=True)
class GetQuotaRoot:
    mailbox: str


@dataclass(frozen=True)
class SetQuota:
    root: str
    limits: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Id:
    """RFC 2971; None when the client sent NIL."""

    params: tuple[tuple[str, str | None], ...] | None


@dataclass(frozen=True)
class GetMetadata:
    """RFC 5464 4.2."""

    mailbox: str  # "" is the server
    entries: tuple[str, ...]
    maxsize: int | None = None
    depth: str = "0"  # "0", "1" or "infinity"


@dataclass(frozen=True)
class SetMetadata:
    mailbox: str
    entries: tuple[tuple[str, bytes | None], ...]  # None removes the entry


Request = (
    Capability | Noop | Logout | StartTls | Authenticate | Login | Enable | Select | Create | Delete
    | Rename | Subscribe | Unsubscribe | List | Lsub | Namespace | Status | Append | Idle | Check
    | Close | Unselect | Expunge | Search | Fetch | Store | Copy | Move | Sort | Thread | GetQuota
    | GetQuotaRoot | SetQuota | Id | GetMetadata | SetMetadata
)
