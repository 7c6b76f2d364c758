"""The selected mailbox as this session sees it (RFC 9051 2.3.1, 7.4.1; RFC 3501 2.3.2).

The view keeps the message sequence number <-> UID map, the flags last announced
to the client and the modseq up to which the store's changes are known. Change
notifications only mark the view stale; ``sync`` asks the store for everything
after ``known_modseq`` (one read, so changes from other processes count too) and
returns the untagged responses to send, at the moment the session allows:

- no EXPUNGE while answering FETCH, STORE or SEARCH (RFC 3501 7.4.1 / RFC 9051
  7.5.1): expunges are then kept pending and sent at the next allowed moment;
- VANISHED instead of EXPUNGE once QRESYNC is enabled (RFC 7162 3.2.10);
- \\Recent (IMAP4rev1 only): the arrivals this session is the first to be told
  about, as claimed in the store (servers/imap/recent.py) before ``apply``.

Memory: ``uids`` / ``flags`` / ``modseqs`` start as the containers of the shared
``MailboxState`` (mailbox_cache.py), which never mutates containers it has lent; the
view copies them before its first change of its own (``_own``) and goes back to the
shared ones when a sync leaves it at exactly the state's version (``share``). An idle
session on a mailbox of 1,000 messages so holds no copy of its own (issue #3).

Public for servers/imap/search.py: ``mailbox_id``, ``uids`` (ascending, index+1 is
the sequence number), ``seq_of(uid)``, ``flags`` (uid -> frozenset), ``recent``
(set of uids), ``saved`` (SEARCHRES ``$``, a tuple of uids).
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap.seqset import SequenceSet
from postvak.store import mailboxes, messages
from postvak.store.types import Mailbox, MessageMeta

NOTED_MAX = 10_000  # notified changes kept per view between two syncs
# FETCH writes a flag list per message, and flag sets repeat: each is encoded once.
_FLAG_BYTES: dict[tuple[frozenset[str], bool], bytes] = {}
_FLAG_BYTES_MAX = 4096
_NO_FLAGS: frozenset[str] = frozenset()


def sync_read(tx: Any, mailbox_id: int, modseq: int) -> tuple[Mailbox, list[MessageMeta], list[int]]:
    """One consistent read: the mailbox and what changed after ``modseq``."""
    mailbox = mailboxes.get_mailbox_by_id(tx, mailbox_id)
    changed, gone = messages.changes_since(tx, mailbox_id, modseq)
    return mailbox, changed, gone


async def is_current(ctx: Any, view: SelectedView) -> bool:
    """The view's uids, flags and modseqs are the store's: nothing came in since its last
    sync, as the mailbox row (one cheap read) shows. Writes of other processes, which send
    no notification on SQLite, show there too."""
    if view.stale or view.pending_expunge:
        return False
    mb = await _mailbox_row(ctx, view.mailbox_id)
    # stale again: a commit of this process was notified while the row was being read
    return not view.stale and mb.highestmodseq == view.known_modseq and mb.uidvalidity == view.mailbox.uidvalidity


async def _mailbox_row(ctx: Any, mailbox_id: int) -> Mailbox:
    """The mailbox row, one store read for the sessions of a mailbox that check at the same
    moment: a session that asks while a read is on its way waits for that one. Changes this
    process commits meanwhile still reach the view (``is_current`` checks ``stale`` after);
    other processes' are seen as late as their notification would be anyway."""
    extras = getattr(ctx, "extras", None)
    if extras is None:  # a bare context (unit tests): no sharing
        return await ctx.runner.read_here(mailboxes.get_mailbox_by_id, mailbox_id)  # type: ignore[no-any-return]
    reads: dict[int, asyncio.Future[Mailbox]] = extras.setdefault("imap.row_reads", {})
    read = reads.get(mailbox_id)
    if read is None:
        read = reads[mailbox_id] = asyncio.ensure_future(ctx.runner.read_here(mailboxes.get_mailbox_by_id, mailbox_id))

        def done(f: asyncio.Future[Mailbox]) -> None:
            if reads.get(mailbox_id) is f:
                del reads[mailbox_id]
            if not f.cancelled():
                f.exception()  # retrieved here: every waiter may have gone

        read.add_done_callback(done)
    return await asyncio.shield(read)


@dataclass
class SelectedView:
    mailbox: Mailbox
    readonly: bool
    uids: list[int] = field(default_factory=list)
    flags: dict[int, frozenset[str]] = field(default_factory=dict)
    modseqs: dict[int, int] = field(default_factory=dict)
    known_modseq: int = 0
    recent: set[int] = field(default_factory=set)
    saved: tuple[int, ...] = ()
    pending_expunge: set[int] = field(default_factory=set)
    stale: bool = False
    want_modseq: int = 0  # the highest modseq a change notification named
    full_sync: bool = False  # a notification without modseq came: read the store, not the cache
    gone: bool = False  # the mailbox was deleted or renamed away by someone else
    # Encoded ENVELOPEs by (uid, utf8), filled and bounded by commands/fetch.py: messages never change.
    envelopes: dict[tuple[int, bool], bytes] = field(default_factory=dict)
    shared: bool = False  # uids/flags/modseqs belong to a MailboxState: copy before changing them
    # (kind, uid) of each change notified after known_modseq, by modseq; None once more than
    # NOTED_MAX came. When they are all this session's own STOREs and EXPUNGEs, which the
    # view shows already, sync needs no store read (``settle_own``).
    noted: dict[int, tuple[str, int | None]] | None = field(default_factory=dict)
    # \Recent UIDs (low, high] this session claimed in its own APPEND's transaction, for the
    # sync that announces them (recent.py: no second write).
    claimed: tuple[int, int] | None = None

    def _own(self) -> None:
        """Copy the lent containers before this view changes them (copy on write)."""
        if self.shared:
            self.uids, self.flags, self.modseqs = list(self.uids), dict(self.flags), dict(self.modseqs)
            self.shared = False

    def share(self, uids: list[int], flags: dict[int, frozenset[str]], modseqs: dict[int, int]) -> None:
        """Use a MailboxState's containers, of exactly this view's version (``known_modseq``)."""
        self.uids, self.flags, self.modseqs = uids, flags, modseqs
        self.shared = True

    @classmethod
    def from_snapshot(cls, mailbox: Mailbox, metas: Iterable[MessageMeta], readonly: bool) -> SelectedView:
        view = cls(mailbox, readonly, known_modseq=mailbox.highestmodseq)
        for m in metas:
            view.uids.append(m.uid)
            view.flags[m.uid] = m.flags
            view.modseqs[m.uid] = m.modseq
        return view

    @property
    def mailbox_id(self) -> int:
        return self.mailbox.id

    @property
    def exists(self) -> int:
        return len(self.uids)

    def seq_of(self, uid: int) -> int | None:
        i = bisect.bisect_left(self.uids, uid)
        return i + 1 if i < len(self.uids) and self.uids[i] == uid else None

    def held(self, uids: list[int]) -> list[tuple[int, int]]:
        """(uid, sequence number) of each of the ascending ``uids`` this view holds. Many of
        the view's uids (SEARCH UNSEEN of a mailbox): one pass over the view with a set
        look-up each; few: one bisect per uid, each starting where the last one ended."""
        mine = self.uids
        end = len(mine)
        if len(uids) * 8 >= end:
            wanted = set(uids)
            return [(u, n) for n, u in enumerate(mine, 1) if u in wanted]
        out = []
        i = 0
        for u in uids:
            i = bisect.bisect_left(mine, u, i)
            if i == end:
                break
            if mine[i] == u:
                out.append((u, i + 1))
        return out

    def uid_of(self, seq: int) -> int:
        return self.uids[seq - 1]

    # --- addressing ---------------------------------------------------------------
    def resolve(self, seqset: SequenceSet, uid: bool) -> list[int]:
        """UIDs addressed by a sequence set (RFC 9051 6.4.8: UID ranges need not exist)."""
        if seqset.saved:
            return [u for u in self.saved if self.seq_of(u) is not None]
        if uid:
            if not self.uids:
                return []
            top = self.uids[-1]
            out: list[int] = []
            for a, b in seqset.resolve(top):
                lo = bisect.bisect_left(self.uids, a)
                hi = bisect.bisect_right(self.uids, b)
                out.extend(self.uids[lo:hi])
            return out
        spans = seqset.resolve(self.exists)
        if spans and spans[-1][1] > self.exists:
            from postvak.servers.imap.errors import Bad

            raise Bad("message sequence number out of range")  # RFC 9051 6.4.5: BAD for invalid seqs
        return [self.uids[n - 1] for a, b in spans for n in range(a, b + 1)]

    # --- changes made by this session ---------------------------------------------
    def note_flags(self, uid: int, flags: frozenset[str], modseq: int | None = None) -> None:
        old = self.flags.get(uid)
        if old is None or (old == flags and (modseq is None or self.modseqs.get(uid) == modseq)):
            return  # unknown, or nothing new (FETCH notes every message it reads): keep sharing
        self._own()
        self.flags[uid] = flags
        if modseq is not None:
            self.modseqs[uid] = modseq

    def remove_now(self, uids: Iterable[int], qresync: bool) -> list[bytes]:
        """Our own EXPUNGE / MOVE: untagged responses for the removed UIDs, highest seq first."""
        gone = sorted({u for u in uids if self.seq_of(u) is not None})
        self.pending_expunge.difference_update(gone)
        return self._remove(gone, qresync)

    def _remove(self, gone: list[int], qresync: bool) -> list[bytes]:
        if not gone:
            return []
        self._own()
        out: list[bytes] = []
        if qresync:
            out.append(fmt.vanished(gone))
        for uid in reversed(gone):
            # RFC 9051 7.5.1: each EXPUNGE renumbers; going from the top keeps the numbers valid.
            seq = self.seq_of(uid)
            if seq is None:
                continue
            del self.uids[seq - 1]
            self.flags.pop(uid, None)
            self.modseqs.pop(uid, None)
            self.recent.discard(uid)
            self.envelopes.pop((uid, False), None)
            self.envelopes.pop((uid, True), None)
            if not qresync:
                out.append(fmt.expunge(seq))
        return out

    # --- changes from anywhere ----------------------------------------------------
    def note_changes(self, changes: Iterable[Any]) -> None:
        """Keep what the change notifications for this mailbox named (see ``settle_own``)."""
        noted = self.noted
        if noted is None:
            return
        for c in changes:
            if c.modseq is not None and c.modseq > self.known_modseq:
                noted[c.modseq] = (c.kind, c.uid)
        if len(noted) > NOTED_MAX:
            self.noted = None

    def settle_own(self) -> bool:
        """Bring the view to ``want_modseq`` without a store read when every modseq after
        ``known_modseq`` belongs to a notified change the view already shows: a flag change
        whose new modseq the view holds (this session's STORE noted it) or the expunge of a
        uid the view no longer has (this session's EXPUNGE removed it). Modseqs are given
        out one per change without gaps, so a change of any other session or process leaves
        a modseq unexplained, and the caller reads the store as before."""
        noted, top = self.noted, self.want_modseq
        if noted is None or self.full_sync or self.pending_expunge or top <= self.known_modseq:
            return False
        for modseq in range(self.known_modseq + 1, top + 1):
            kind, uid = noted.get(modseq, ("", None))
            if kind == "flags":
                if uid is None or self.modseqs.get(uid) != modseq:
                    return False
            elif kind != "expunge" or uid is None or uid in self.flags:
                return False
        noted.clear()  # nothing above top was notified: top is the highest notified modseq
        self.known_modseq = top
        self.mailbox = replace(self.mailbox, highestmodseq=top)
        self.stale = False
        return True

    def apply(
        self, mailbox: Mailbox, changed: list[MessageMeta], gone: list[int], *, allow_expunge: bool,
        qresync: bool, condstore: bool, rev2: bool, recent: Sequence[tuple[int, int]] = (),
    ) -> list[bytes]:
        """Fold a ``sync_read`` result in; returns the untagged responses in RFC order.
        New messages with a UID in one of the ``recent`` spans ``(low, high]`` are \\Recent here."""
        out: list[bytes] = []
        self.pending_expunge.update(u for u in gone if self.seq_of(u) is not None)
        if allow_expunge and self.pending_expunge:
            out += self._remove(sorted(self.pending_expunge), qresync)
            self.pending_expunge.clear()
        top = self.uids[-1] if self.uids else 0
        added = 0
        flag_updates: list[MessageMeta] = []
        for meta in changed:
            if meta.uid > top:
                self._own()
                self.uids.append(meta.uid)
                top = meta.uid
                self.flags[meta.uid] = meta.flags
                self.modseqs[meta.uid] = meta.modseq
                if any(low < meta.uid <= high for low, high in recent):
                    self.recent.add(meta.uid)
                added += 1
            elif meta.uid in self.flags and meta.uid not in self.pending_expunge:
                if self.flags[meta.uid] != meta.flags or (condstore and self.modseqs.get(meta.uid) != meta.modseq):
                    flag_updates.append(meta)
        if added:
            out.append(fmt.exists(self.exists))
            if not rev2:
                out.append(fmt.recent(len(self.recent)))
        if flag_updates:
            self._own()
        for meta in flag_updates:
            self.flags[meta.uid] = meta.flags
            self.modseqs[meta.uid] = meta.modseq
            seq = self.seq_of(meta.uid)
            if seq is None:
                continue
            items: list[tuple[str, bytes]] = [("FLAGS", self.flag_bytes(meta.uid, rev2))]
            if qresync:
                items.insert(0, ("UID", str(meta.uid).encode()))  # RFC 7162 3.2.4: UID in unsolicited FETCH
            if condstore:
                items.append(("MODSEQ", f"({meta.modseq})".encode()))
            out.append(fmt.fetch_response(seq, items))
        self.mailbox = mailbox
        self.known_modseq = max(self.known_modseq, mailbox.highestmodseq)
        known = self.known_modseq
        self.noted = {m: c for m, c in (self.noted or {}).items() if m > known}
        # a notification that came while this was read (for a later commit) still counts
        self.stale = self.want_modseq > self.known_modseq or self.full_sync
        return out

    def flag_bytes(self, uid: int, rev2: bool) -> bytes:
        key = (self.flags.get(uid, _NO_FLAGS), not rev2 and uid in self.recent)
        encoded = _FLAG_BYTES.get(key)
        if encoded is None:
            flags = sorted(key[0])
            if key[1]:
                flags.append("\\Recent")
            encoded = fmt.flag_list(flags)
            if len(_FLAG_BYTES) >= _FLAG_BYTES_MAX:
                _FLAG_BYTES.clear()
            _FLAG_BYTES[key] = encoded
        return encoded
