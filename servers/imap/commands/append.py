"""APPEND with MULTIAPPEND, APPENDUID, APPENDLIMIT, [OVERQUOTA], [TRYCREATE]
(RFC 9051 6.3.12, RFC 3502, RFC 4315 3, RFC 7889, RFC 9208 4), and the UTF8 data item
(RFC 6855 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from postvak.protocols.imap import codes
from postvak.protocols.imap import requests as rq
from postvak.servers.imap import recent
from postvak.servers.imap.errors import Bad, No, from_store
from postvak.servers.imap.recent import Span
from postvak.store import mailboxes, messages
from postvak.store.errors import NotFound
from postvak.store.types import Mailbox, Stored

if TYPE_CHECKING:
    from postvak.servers.imap.session import ImapSession


class NoMailbox(NotFound):
    """The APPEND target does not exist (answered with TRYCREATE, unlike other NotFound)."""


def append_all(tx: Any, account_id: int, mailbox_id: int, items: list[tuple[bytes, tuple[str, ...], Any]]) -> list[Stored]:
    """RFC 3502 3: all messages of a MULTIAPPEND land in one transaction, or none."""
    return [
        messages.ingest(tx, account_id, mailbox_id, data, flags=frozenset(flags), internal_date=date)
        for data, flags, date in items
    ]


def append_named(tx: Any, account_id: int, name: str, items: list[tuple[bytes, tuple[str, ...], Any]],
                 recent_in: int | None = None) -> tuple[Mailbox, list[Stored], Span | None]:
    """``append_all`` into the mailbox called ``name``, looked up in the same transaction
    (a separate read for it cost a store round trip per APPEND). When that is mailbox
    ``recent_in`` (the session's, selected by IMAP4rev1), the \\Recent claim its sync would
    write is made here too (recent.claim_in_append)."""
    mb = mailboxes.find_mailbox(tx, account_id, name)
    if mb is None:
        raise NoMailbox(f"no mailbox {name}")
    stored = append_all(tx, account_id, mb.id, items)
    claimed = None
    if mb.id == recent_in and stored:
        claimed = recent.claim_in_append(tx, mb.id, max(x.uid for x in stored))
    return mb, stored, claimed


async def append(s: ImapSession, tag: str, req: rq.Append) -> tuple[str, codes.Code | None]:
    from postvak.servers.imap.session import Selected

    if any(m.utf8 for m in req.messages) and "UTF8=ACCEPT" not in s.enabled:
        # RFC 6855 4: the UTF8 data item exists only after ENABLE UTF8=ACCEPT (IMAP4rev2 dropped it).
        raise Bad("UTF8 APPEND data needs ENABLE UTF8=ACCEPT")
    limit = s.auth_limits.literal_size
    for msg in req.messages:
        if len(msg.data) > limit:
            raise No(f"message larger than APPENDLIMIT {limit}", codes.TOOBIG)
        if not msg.data:
            raise No("empty message", codes.CANNOT)
    items = [(m.data, m.flags, m.internal_date) for m in req.messages]
    state = s.state
    view = state.view if isinstance(state, Selected) and not state.view.readonly and not s.rev2 else None
    try:
        mb, stored, claimed = await s.ctx.runner.write(append_named, s.account.id, req.mailbox, items,
                                                       view.mailbox_id if view is not None else None)
    except NoMailbox as exc:
        raise from_store(exc, trycreate=True) from exc  # RFC 9051 6.3.12
    if claimed is not None and view is not None:
        recent.note_claimed(s.ctx, view, mb, claimed)
    return "APPEND completed", codes.appenduid(mb.uidvalidity, [x.uid for x in stored])
