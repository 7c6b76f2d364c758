"""EXPUNGE and UID EXPUNGE (RFC 9051 6.4.3, RFC 4315 2.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postvak.protocols.imap import codes
from postvak.protocols.imap import requests as rq
from postvak.servers.imap.errors import No
from postvak.store import messages

if TYPE_CHECKING:
    from postvak.servers.imap.session import ImapSession


async def expunge(s: ImapSession, tag: str, req: rq.Expunge) -> None:
    view = s.view
    if view.readonly:
        raise No("mailbox is read-only (EXAMINE)", codes.READ_ONLY)
    uids = view.resolve(req.uids, True) if req.uids is not None else None
    removed = await s.ctx.runner.write(messages.expunge, view.mailbox_id, uids)
    for line in view.remove_now(removed, s.qresync):
        s.write(line)
