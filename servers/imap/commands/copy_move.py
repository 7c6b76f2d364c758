"""COPY, MOVE and their UID forms with COPYUID (RFC 9051 6.4.7-6.4.8, RFC 6851, RFC 4315 3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postvak.protocols.imap import codes
from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap import requests as rq
from postvak.servers.core import training
from postvak.servers.imap.errors import No, from_store
from postvak.store import mailboxes, messages
from postvak.store.errors import NotFound

if TYPE_CHECKING:
    from postvak.servers.imap.session import ImapSession


async def _target(s: ImapSession, name: str):  # noqa: ANN202 - a store Mailbox
    mb = await s.ctx.runner.read(mailboxes.find_mailbox, s.account.id, name)
    if mb is None:
        # RFC 9051 6.4.7: NO [TRYCREATE] when the destination does not exist.
        raise from_store(NotFound(f"no mailbox {name}"), trycreate=True)
    return mb


async def copy(s: ImapSession, tag: str, req: rq.Copy) -> tuple[str, codes.Code | None]:
    view = s.view
    uids = view.resolve(req.seqset, req.uid)
    dest = await _target(s, req.mailbox)
    if not uids:
        return "nothing to copy", None
    pairs = await s.ctx.runner.write(messages.copy, view.mailbox_id, uids, dest.id)
    if not pairs:
        raise No("messages were expunged meanwhile", codes.EXPUNGEISSUED)
    await training.after_copy(s.ctx, s.account.id, view.mailbox_id, dest, pairs)  # Spam in/out trains
    return "COPY completed", codes.copyuid(dest.uidvalidity, [a for a, _ in pairs], [b for _, b in pairs])


async def move(s: ImapSession, tag: str, req: rq.Move) -> tuple[str, codes.Code | None] | None:
    view = s.view
    if view.readonly:
        raise No("mailbox is read-only (EXAMINE)", codes.READ_ONLY)
    uids = view.resolve(req.seqset, req.uid)
    dest = await _target(s, req.mailbox)
    if not uids:
        return "nothing to move", None
    if dest.id == view.mailbox_id:
        raise No("source and destination are the same mailbox", codes.CANNOT)
    pairs = await s.ctx.runner.write(messages.move, view.mailbox_id, uids, dest.id)
    await training.after_copy(s.ctx, s.account.id, view.mailbox_id, dest, pairs)  # Spam in/out trains
    if pairs:
        # RFC 6851 4.3: COPYUID goes in an untagged OK before the expunges.
        code = codes.copyuid(dest.uidvalidity, [a for a, _ in pairs], [b for _, b in pairs])
        s.write(fmt.untagged("OK", "moved", code))
    for line in view.remove_now([a for a, _ in pairs], s.qresync):
        s.write(line)
    return None
