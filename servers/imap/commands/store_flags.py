"""STORE / UID STORE with UNCHANGEDSINCE and [MODIFIED] (RFC 9051 6.4.6, RFC 7162 3.1.3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postvak.protocols.imap import codes
from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap import requests as rq
from postvak.servers.core import training
from postvak.servers.imap.errors import No
from postvak.store import messages

if TYPE_CHECKING:
    from postvak.servers.imap.session import ImapSession

MODES = {"+": "add", "-": "remove", "": "replace"}


async def store(s: ImapSession, tag: str, req: rq.Store) -> tuple[str, codes.Code | None] | None:
    view = s.view
    if view.readonly:
        raise No("mailbox is read-only (EXAMINE)", codes.READ_ONLY)
    uids = view.resolve(req.seqset, req.uid)
    if req.unchangedsince is not None:
        s.enabled.add("CONDSTORE")  # RFC 7162 3.1: the modifier enables CONDSTORE
    changed, failed = await s.ctx.runner.write(
        messages.set_flags, view.mailbox_id, uids, MODES[req.mode], req.flags, req.unchangedsince
    )
    if changed and req.mode != "-":  # $Junk / $NotJunk train the spam filter (issue 6)
        await training.after_store(s.ctx, s.account.id, view.mailbox_id, [c.uid for c in changed], req.flags, True)
    new_modseq = {c.uid: c.modseq for c in changed}
    for c in changed:
        view.note_flags(c.uid, c.flags, c.modseq)
    failed_set = set(failed)
    for uid in uids:
        seq = view.seq_of(uid)
        if seq is None or uid in failed_set:
            continue
        # RFC 9051 6.4.6: non-silent STORE answers with the new flags; RFC 7162 3.1.3: with
        # CONDSTORE on, a .SILENT store still reports MODSEQ of the messages it changed.
        if req.silent and not (s.condstore and uid in new_modseq):
            continue
        items: list[tuple[str, bytes]] = []
        if req.uid or s.qresync:
            items.append(("UID", str(uid).encode()))
        if not req.silent:
            items.append(("FLAGS", view.flag_bytes(uid, s.rev2)))
        if s.condstore:
            items.append(("MODSEQ", f"({view.modseqs.get(uid, 0)})".encode()))
        s.write(fmt.fetch_response(seq, items))
    if failed:
        numbers = failed if req.uid else [n for n in (view.seq_of(u) for u in failed) if n is not None]
        return "some messages were modified meanwhile", codes.modified(numbers)
    return None
