"""Plain, frozen data the store returns; ORM rows never leave store/ (STYLE.md habit 7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ChangeKind = Literal["new", "flags", "expunge", "mailbox", "account"]


@dataclass(frozen=True)
class Domain:
    id: int
    name: str


@dataclass(frozen=True)
class Account:
    id: int
    address: str
    quota_bytes: int | None
    used_bytes: int
    password_hash: str = field(repr=False)


@dataclass(frozen=True)
class Identity:
    id: int
    account_id: int
    address: str


@dataclass(frozen=True)
class Alias:
    alias: str  # "user@domain", or "@domain" for a catch-all
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Group:
    name: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Mailbox:
    id: int
    account_id: int
    name: str  # Unicode, "/" separates levels
    special_use: str | None  # "\\Sent", "\\Drafts", "\\Trash", "\\Junk" or None
    system: bool
    subscribed: bool
    uidvalidity: int
    uidnext: int
    highestmodseq: int
    messages: int
    unseen: int
    size: int
    recent_uid: int = 0  # UIDs above it are \Recent for the next IMAP4rev1 session (store/recent.py)


@dataclass(frozen=True)
class MessageMeta:
    id: int
    mailbox_id: int
    uid: int
    modseq: int
    flags: frozenset[str]
    internal_date: datetime
    size: int
    blob_sha: str
    thread_id: int | None
    envelope_json: dict[str, Any] | None = None  # None from snapshot()/changes_since(): fetch_meta() fills it
    body_json: dict[str, Any] | None = None
    preview: str | None = None
    annotation: str | None = None


@dataclass(frozen=True)
class FlagState:
    """What set_flags changed: the message's new modseq and flags."""

    uid: int
    modseq: int
    flags: frozenset[str]


@dataclass(frozen=True)
class Snapshot:
    mailbox: Mailbox
    messages: tuple[MessageMeta, ...]  # ascending uid


@dataclass(frozen=True)
class Stored:
    message_id: int
    mailbox_id: int
    uid: int
    modseq: int


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    account_id: int
    mailbox_id: int | None = None
    uid: int | None = None
    modseq: int | None = None


@dataclass(frozen=True)
class Resolved:
    account_id: int
    address: str  # the account's own address
    detail: str | None = None  # "tag" of user+tag@domain (RFC 5233 subaddress)


@dataclass(frozen=True)
class QueueRecipient:
    address: str
    status: str  # "pending", "sent", "failed"
    detail: str = ""  # last reply or error for this recipient


@dataclass(frozen=True)
class QueueItem:
    id: int
    sender: str
    recipients: tuple[QueueRecipient, ...]
    blob_sha: str
    size: int
    attempts: int
    next_attempt: datetime
    created: datetime
    last_error: str | None


@dataclass(frozen=True)
class SieveScript:
    account_id: int
    name: str
    content: str
    active: bool


@dataclass(frozen=True)
class StateEntry:
    scope: str
    account_id: int | None
    key: str
    value: Any  # bytes as stored, or the decoded JSON value
    expires: datetime | None


@dataclass(frozen=True)
class AclEntry:
    """One RFC 4314 access right entry of a mailbox."""

    mailbox_id: int
    grantee_id: int
    grantee: str  # the grantee account's address
    rights: str  # RFC 4314 letters in canonical order, e.g. "lrswipkxtea"


@dataclass(frozen=True)
class SharedMailbox:
    """Another account's mailbox this account may see (it holds the "l" right)."""

    mailbox: Mailbox
    owner: str  # the owner's address (IMAP NAMESPACE "Other Users": <owner>/<name>)
    rights: str
