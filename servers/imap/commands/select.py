"""SELECT / EXAMINE (with CONDSTORE and QRESYNC), CLOSE, UNSELECT, CHECK (RFC 9051 6.3.2, 6.4;
RFC 7162 3.1.8, 3.2.5; RFC 3691)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postvak.protocols.imap import codes
from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap import requests as rq
from postvak.protocols.imap.seqset import SequenceSet
from postvak.servers.imap import recent
from postvak.servers.imap.errors import Bad, from_store
from postvak.servers.imap.mailbox_cache import MailboxCache, cache_of, with_counts
from postvak.servers.imap.selected import SelectedView
from postvak.store import messages
from postvak.store.errors import NotFound

if TYPE_CHECKING:
    from postvak.servers.imap.session import ImapSession

SYSTEM_FLAGS = ("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft")


async def select(s: ImapSession, tag: str, req: rq.Select) -> tuple[str, codes.Code]:
    from postvak.servers.imap.session import Selected

    if req.qresync is not None and not s.qresync:
        raise Bad("QRESYNC must be enabled first")  # RFC 7162 3.2.5
    if req.condstore:
        s.enabled.add("CONDSTORE")  # RFC 7162 3.1.8: SELECT (CONDSTORE) enables it
    cache = cache_of(s.ctx)
    previous = None
    if isinstance(s.state, Selected):
        # Held until the end so re-selecting the same mailbox reuses its shared state.
        previous = s.view.mailbox_id if cache.hold(s.view.mailbox_id) else None
        # RFC 9051 6.3.2: selecting deselects first, even if the new SELECT fails.
        s.unselect()
        if s.qresync or s.rev2:
            s.write(fmt.untagged("OK", "previous mailbox closed", codes.CLOSED))  # RFC 7162 3.2.11
    try:
        return await _select(s, req, cache)
    finally:
        if previous is not None:
            cache.release(previous)


async def _select(s: ImapSession, req: rq.Select, cache: MailboxCache) -> tuple[str, codes.Code]:
    mb = await cache.find(s.account.id, req.mailbox)  # with the cached state's catch-up, one read
    if mb is None:
        raise from_store(NotFound(f"no mailbox {req.mailbox}"))
    # The uid/flags/modseq list comes from the process-wide cache (mailbox_cache.py), brought up
    # to at least the row just read: no per-message store read when the mailbox is held already.
    st = await cache.snapshot(mb)
    current = with_counts(mb, st)
    # shared, not copied: the view copies on its first change of its own (selected.py)
    uids, flags_of, modseqs = st.lend()
    view = SelectedView(current, req.readonly, uids=uids, flags=flags_of, modseqs=modseqs,
                        known_modseq=current.highestmodseq, shared=True)
    if not s.rev2:
        await recent.on_select(s.ctx, view, mb)  # RFC 3501 2.3.2; claimed before anything is sent
    # flag sets are shared between messages (store/fetchmeta.py): look at each distinct one once
    keywords = sorted({f for flags in set(view.flags.values()) for f in flags if not f.startswith("\\")})
    flags = [*SYSTEM_FLAGS, *keywords]
    s.write(fmt.flags(flags))
    s.write(fmt.exists(view.exists))
    if not s.rev2:
        s.write(fmt.recent(len(view.recent)))
        first_unseen = next((i + 1 for i, u in enumerate(view.uids) if "\\Seen" not in view.flags[u]), None)
        if first_unseen is not None:
            s.write(fmt.untagged("OK", "first unseen", codes.unseen(first_unseen)))
    s.write(fmt.untagged("OK", "UIDs valid", codes.uidvalidity(mb.uidvalidity)))
    s.write(fmt.untagged("OK", "predicted next UID", codes.uidnext(current.uidnext)))
    permanent = [] if req.readonly else [*flags, "\\*"]
    s.write(fmt.untagged("OK", "permanent flags" if permanent else "read-only", codes.permanentflags(permanent)))
    s.write(fmt.untagged("OK", "highest", codes.highestmodseq(current.highestmodseq)))
    if s.rev2:
        s.write(fmt.list_response([], "/", mb.name, s.utf8))  # RFC 9051 6.3.2: the mailbox's LIST
    if req.qresync is not None and req.qresync.uidvalidity == mb.uidvalidity:
        await _qresync(s, view, req.qresync)
    s.select(view)
    return f"{'EXAMINE' if req.readonly else 'SELECT'} completed", codes.READ_ONLY if req.readonly else codes.READ_WRITE


SEQ_MATCH_MAX = 10_000  # pairs of seq-match data we look at; a longer sample is ignored (it only narrows)


def _expand(seqset: SequenceSet, star: int) -> list[int] | None:
    """The numbers of a seq-match set in the client's order ("*" is ``star``); None if too many."""
    out: list[int] = []
    for lo, hi in seqset.ranges:
        a = star if lo is None else lo
        b = star if hi is None else hi
        a, b = min(a, b), max(a, b)
        if len(out) + b - a + 1 > SEQ_MATCH_MAX:
            return None
        out.extend(range(a, b + 1))
    return out


def known_expunges_floor(view: SelectedView, seq_match: tuple[SequenceSet, SequenceSet]) -> int:
    """RFC 7162 3.2.5.2 message sequence match data: the highest UID up to which the client
    provably knows every expunge (0: none). Each (seq, uid) pair is compared with the mailbox as
    it is now; a match means the client's and the server's messages up to that UID are the same.
    Like the RFC's example, we stop at the first pair that does not match."""
    top_uid = view.uids[-1] if view.uids else 0
    seqs, uids = _expand(seq_match[0], view.exists), _expand(seq_match[1], top_uid)
    if seqs is None or uids is None or len(seqs) != len(uids):
        return 0  # malformed sample: answer as if it were absent
    if any(b <= a for a, b in zip(seqs, seqs[1:], strict=False)) or any(
        b <= a for a, b in zip(uids, uids[1:], strict=False)
    ):
        return 0  # the RFC requires both sets in ascending order
    floor = 0
    for seq, uid in zip(seqs, uids, strict=True):
        if not 1 <= seq <= view.exists or view.uid_of(seq) != uid:
            break
        floor = uid
    return floor


async def _qresync(s: ImapSession, view: SelectedView, q: rq.QResync) -> None:
    """RFC 7162 3.2.5.2: VANISHED (EARLIER) for what went away, FETCH for what changed."""
    changed, gone = await s.ctx.runner.read(messages.changes_since, view.mailbox_id, q.modseq)
    if q.known_uids is not None and gone:
        # Only UIDs the client says it knows; spans resolved once (the set may be huge, e.g. 1:4000000000).
        top = max(view.mailbox.uidnext - 1, gone[-1])
        spans = q.known_uids.resolve(top)
        gone = [u for u in gone if any(a <= u <= b for a, b in spans)]
    if q.seq_match is not None and gone:
        floor = known_expunges_floor(view, q.seq_match)
        gone = [u for u in gone if u > floor]
    if gone:
        s.write(fmt.vanished(gone, earlier=True))
    for meta in changed:
        seq = view.seq_of(meta.uid)
        if seq is None:
            continue
        s.write(fmt.fetch_response(seq, [
            ("UID", str(meta.uid).encode()), ("FLAGS", view.flag_bytes(meta.uid, s.rev2)),
            ("MODSEQ", f"({meta.modseq})".encode()),
        ]))


async def close(s: ImapSession, tag: str, req: rq.Close) -> None:
    view = s.view
    if not view.readonly:
        # RFC 9051 6.4.1: silently expunge \Deleted messages (no untagged EXPUNGE).
        await s.ctx.runner.write(messages.expunge, view.mailbox_id, None)
    s.unselect()


async def unselect(s: ImapSession, tag: str, req: rq.Unselect) -> None:
    s.view  # noqa: B018 - raises when nothing is selected
    s.unselect()


async def check(s: ImapSession, tag: str, req: rq.Check) -> None:
    return None  # RFC 9051 removed CHECK; every write is already durable
