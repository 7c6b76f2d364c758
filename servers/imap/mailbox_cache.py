"""Per-mailbox state shared by every IMAP session of this process that selects the mailbox.

SELECT needs each message's uid, flags and modseq; reading them for a mailbox of
1,000 messages cost ~9 ms of store time per SELECT (bench/bench_imap.py: 113 SELECT/s
with 20 clients). Here one store read builds a ``MailboxState`` on first use; later
SELECTs copy it.

Exactness. Every store change to a mailbox raises its ``highestmodseq`` (ingest,
flags, expunge, annotation: RFC 7162 3.1.1 asks as much), so ``(uidvalidity,
highestmodseq)`` identifies one version of the mailbox. ``snapshot(mb)`` takes a
Mailbox row the caller has just read and returns a state at least that new: when
the state is older it is brought forward with one ``changes_since`` read (the rows
changed after the state's modseq, and the uids expunged after it); when that cannot
be applied exactly (an unknown uid below the top, a new uidvalidity) the state is
read again in full. So writes of other processes, which send no notification on
SQLite, are seen as soon as a session reads the mailbox row.

Change notifications (``ctx.changes``) only mark a state behind; the next
``snapshot`` refreshes it once for all the sessions waiting on it. States are
dropped when no session holds the mailbox selected.

All of this runs on the event loop thread: no locks, only one refresh in flight
per mailbox (others await it).
"""

from __future__ import annotations

import asyncio
import bisect
import dataclasses
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from postvak.store import fetchmeta, mailboxes, messages
from postvak.store.types import Mailbox

LOG_MAX = 5000  # changed rows + expunged uids kept for sessions catching up
REFRESH_ROUNDS = 3  # incremental catch-ups before a full read (a mailbox that keeps moving)
# States nobody holds are kept for the next SELECT (a client that logs in again, the next
# session of a sync tool): a full read of 1,000 messages costs ~7 ms of CPU, a catch-up
# ~0.5 ms. Bounded in number, in messages (~120 bytes each) and in time.
IDLE_KEEP = 32
IDLE_MESSAGES = 100_000
IDLE_SECONDS = 600.0


def full_read(tx: Any, mailbox_id: int) -> tuple[Mailbox, list[fetchmeta.FetchMeta]]:
    """The mailbox row and each message's uid, flags and modseq, in one transaction."""
    mailbox = mailboxes.get_mailbox_by_id(tx, mailbox_id)
    return mailbox, fetchmeta.fetch_meta(tx, mailbox_id, fetchmeta.all_uids(tx, mailbox_id))


def select_read(tx: Any, account_id: int, name: str, bases: dict[int, int]) -> tuple[
        Mailbox | None, tuple[int, list[Any], list[int]] | None]:
    """SELECT's one read: the mailbox row by name and, when this process holds its state at
    modseq ``bases[id]`` and the row is past it, what changed after that (the catch-up the
    state would otherwise read next, in a second round trip)."""
    mailbox = mailboxes.find_mailbox(tx, account_id, name)
    if mailbox is None:
        return None, None
    base = bases.get(mailbox.id)
    if base is None or mailbox.highestmodseq <= base:
        return mailbox, None
    changed, gone = messages.changes_since(tx, mailbox.id, base)
    return mailbox, (base, changed, gone)


def delta_read(tx: Any, mailbox_id: int, modseq: int) -> tuple[Mailbox, list[Any], list[int]]:
    """The mailbox row and what changed after ``modseq``, in one transaction."""
    mailbox = mailboxes.get_mailbox_by_id(tx, mailbox_id)
    changed, gone = messages.changes_since(tx, mailbox_id, modseq)
    return mailbox, changed, gone


@dataclass
class MailboxState:
    """One version of a mailbox: ``uids`` ascending, ``flags`` / ``modseqs`` by uid."""

    mailbox: Mailbox
    uids: list[int] = field(default_factory=list)
    flags: dict[int, frozenset[str]] = field(default_factory=dict)
    modseqs: dict[int, int] = field(default_factory=dict)
    holders: int = 0
    notified: int = 0  # bumped by change notifications
    applied: int = 0  # the value of `notified` the last refresh started from
    # What each incremental refresh brought, oldest first: (highestmodseq after it, changed
    # rows, expunged uids). Sessions catch up from it (``since``); it covers every change
    # after ``log_floor``.
    log: list[tuple[int, list[Any], list[int]]] = field(default_factory=list)
    log_floor: int = 0
    log_size: int = 0
    # uids/flags/modseqs were handed to views (selected.py shares them instead of copying, so an
    # idle session holds no per-message state of its own): replace them, never mutate them.
    lent: bool = False

    @property
    def highestmodseq(self) -> int:
        return self.mailbox.highestmodseq

    @property
    def behind(self) -> bool:
        return self.notified != self.applied

    def lend(self) -> tuple[list[int], dict[int, frozenset[str]], dict[int, int]]:
        """This version's containers, for a view to share; they stay as they are."""
        self.lent = True
        return self.uids, self.flags, self.modseqs

    def load(self, mailbox: Mailbox, metas: Iterable[Any]) -> None:
        self.mailbox = mailbox
        self.log, self.log_floor, self.log_size = [], mailbox.highestmodseq, 0
        self.uids, self.flags, self.modseqs, self.lent = [], {}, {}, False
        for m in metas:
            self.uids.append(m.uid)
            self.flags[m.uid] = m.flags
            self.modseqs[m.uid] = m.modseq

    def apply(self, mailbox: Mailbox, changed: list[Any], gone: list[int]) -> bool:
        """Fold a ``delta_read`` in; False when it does not fit (then read in full)."""
        if mailbox.uidvalidity != self.mailbox.uidvalidity:
            return False
        drop = {u for u in gone if u in self.flags}
        uids = [u for u in self.uids if u not in drop] if drop else self.uids
        top = uids[-1] if uids else 0
        for m in changed:  # ascending uid (changes_since orders by uid); checked before any change
            if m.uid > top:
                top = m.uid
            elif m.uid not in self.flags or m.uid in drop:
                return False  # a message below the top we never saw: not exact any more
        if self.lent and (changed or drop):  # copy on write: views keep the version they were lent
            uids = uids if drop else list(uids)
            self.flags, self.modseqs, self.lent = dict(self.flags), dict(self.modseqs), False
        self.uids = uids
        for u in drop:
            del self.flags[u]
            del self.modseqs[u]
        top = uids[-1] if uids else 0
        for m in changed:
            if m.uid > top:
                uids.append(m.uid)
                top = m.uid
            self.flags[m.uid] = m.flags
            self.modseqs[m.uid] = m.modseq
        self.mailbox = mailbox
        if changed or gone:
            self.log.append((mailbox.highestmodseq, changed, gone))
            self.log_size += len(changed) + len(gone)
            while self.log_size > LOG_MAX and self.log:
                high, c, g = self.log.pop(0)
                self.log_size -= len(c) + len(g)
                self.log_floor = high
        return True

    def changes_after(self, modseq: int) -> tuple[list[Any], list[int]] | None:
        """What ``delta_read(modseq)`` would give against this state; None when the log
        does not reach back that far."""
        if modseq < self.log_floor:
            return None
        latest: dict[int, Any] = {}
        gone: list[int] = []
        # The log is in modseq order and can hold thousands of batches: skip the ones the
        # caller has seen without looking at each.
        start = bisect.bisect_right(self.log, modseq, key=_high)
        for _, changed, expunged in self.log[start:]:
            for m in changed:
                if m.modseq > modseq:
                    latest[m.uid] = m  # later batches win
            gone.extend(expunged)
        if gone:
            for u in gone:
                latest.pop(u, None)  # changed, then expunged: it is gone
        return [latest[u] for u in sorted(latest)], sorted(set(gone))


def _high(entry: tuple[int, list[Any], list[int]]) -> int:
    return entry[0]


class MailboxCache:
    def __init__(self, runner: Any, changes: Any) -> None:
        self._runner = runner
        self._changes = changes
        self._states: dict[int, MailboxState] = {}
        self._busy: dict[int, asyncio.Future[None]] = {}
        self._accounts: dict[int, tuple[int, Callable[[], None]]] = {}  # id -> (states, unsubscribe)
        self._idle: OrderedDict[int, float] = OrderedDict()  # unheld states kept: id -> released at

    def __contains__(self, mailbox_id: int) -> bool:
        return mailbox_id in self._states

    async def find(self, account_id: int, name: str) -> Mailbox | None:
        """The mailbox row by name (None: no such mailbox), read together with the catch-up
        of its state when this process has one (``select_read``): ``snapshot`` of the row
        then needs no read of its own unless more changed meanwhile."""
        marks = {i: (st.highestmodseq, st.notified) for i, st in self._states.items()
                 if st.mailbox.account_id == account_id and i not in self._busy}
        mb, delta = await self._runner.read_here(select_read, account_id, name, {i: m for i, (m, _) in marks.items()})
        if mb is not None and delta is not None:
            base, changed, gone = delta
            st = self._states.get(mb.id)
            # only onto the version it was read against, and not beside a refresh in flight
            if st is not None and st.highestmodseq == base and mb.id not in self._busy and st.apply(mb, changed, gone):
                st.applied = marks[mb.id][1]  # notifications that came during the read still count
        return mb

    async def snapshot(self, mb: Mailbox) -> MailboxState:
        """The state of ``mb.id``, no older than ``mb`` (a row just read from the store)."""
        self._idle.pop(mb.id, None)  # in use again: not to be trimmed while the SELECT runs
        st = self._states.get(mb.id)
        if st is None:
            st = MailboxState(mb)
            self._states[mb.id] = st
            self._hold_account(mb.account_id)
            await self._refresh(st, full=True)
        for _ in range(REFRESH_ROUNDS):
            if st.mailbox.uidvalidity != mb.uidvalidity:
                break
            if st.highestmodseq >= mb.highestmodseq and not st.behind:
                return st
            await self._refresh(st, full=False)
        else:
            return st if st.highestmodseq >= mb.highestmodseq else await self._full(st)
        return await self._full(st)

    async def since(self, mailbox_id: int, modseq: int, want: int) -> tuple[Mailbox, list[Any], list[int]] | None:
        """For a session's sync: the mailbox and what changed after ``modseq``, from a state
        at least at ``want`` (the highest modseq the session was notified of). None when the
        mailbox is not cached here or its log does not reach back: then read the store."""
        st = self._states.get(mailbox_id)
        if st is None:
            return None
        for _ in range(REFRESH_ROUNDS):
            if st.highestmodseq >= want and not st.behind:
                break
            await self._refresh(st, full=False)
        else:
            return None
        if self._states.get(mailbox_id) is not st:
            return None  # dropped meanwhile
        delta = st.changes_after(modseq)
        return None if delta is None else (st.mailbox, *delta)

    def lend(self, mailbox_id: int, uidvalidity: int, modseq: int) -> (
            tuple[list[int], dict[int, frozenset[str]], dict[int, int]] | None):
        """The cached containers of exactly this version of the mailbox, for a view that has
        just synced to it (selected.py ``share``); None when the state is at another one."""
        st = self._states.get(mailbox_id)
        if st is None or st.highestmodseq != modseq or st.mailbox.uidvalidity != uidvalidity:
            return None
        return st.lend()

    async def _full(self, st: MailboxState) -> MailboxState:
        await self._refresh(st, full=True)
        return st

    async def _refresh(self, st: MailboxState, *, full: bool) -> None:
        mailbox_id = st.mailbox.id
        running = self._busy.get(mailbox_id)
        while running is not None:
            await asyncio.shield(running)
            if not full:
                return  # that refresh started after we were asked: the caller checks again
            running = self._busy.get(mailbox_id)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._busy[mailbox_id] = done
        try:
            start = st.notified
            if not full:
                mailbox, changed, gone = await self._runner.read_here(delta_read, mailbox_id, st.highestmodseq)
                if mailbox.highestmodseq >= st.highestmodseq:
                    full = not st.apply(mailbox, changed, gone)
            if full:
                mailbox, metas = await self._runner.read(full_read, mailbox_id)
                st.load(mailbox, metas)
            st.applied = start
            done.set_result(None)
        except BaseException as exc:
            done.set_exception(exc)
            done.exception()  # retrieved here: waiters get it from their own await
            raise
        finally:
            del self._busy[mailbox_id]

    # --- who holds what --------------------------------------------------------------
    def hold(self, mailbox_id: int) -> bool:
        """Keep the state while held; False (nothing to release later) when there is none."""
        st = self._states.get(mailbox_id)
        if st is not None:
            st.holders += 1
            self._idle.pop(mailbox_id, None)
        return st is not None

    def release(self, mailbox_id: int) -> None:
        st = self._states.get(mailbox_id)
        if st is None:
            return
        st.holders -= 1
        if st.holders <= 0 and mailbox_id not in self._busy:
            self._idle[mailbox_id] = time.monotonic()  # kept for the next SELECT, within bounds
            self._trim()

    def _trim(self) -> None:
        """Drop the oldest unheld states beyond IDLE_KEEP / IDLE_MESSAGES / IDLE_SECONDS."""
        idle = self._idle
        too_old = time.monotonic() - IDLE_SECONDS
        total = sum(len(self._states[m].uids) for m in idle if m in self._states)
        while idle:
            mailbox_id, since = next(iter(idle.items()))
            if len(idle) <= IDLE_KEEP and total <= IDLE_MESSAGES and since > too_old:
                break
            del idle[mailbox_id]
            st = self._states.get(mailbox_id)
            if st is not None and st.holders <= 0 and mailbox_id not in self._busy:
                total -= len(st.uids)
                self._drop(mailbox_id)

    def _drop(self, mailbox_id: int) -> None:
        st = self._states.pop(mailbox_id)
        account_id = st.mailbox.account_id
        count, unsubscribe = self._accounts[account_id]
        if count <= 1:
            del self._accounts[account_id]
            unsubscribe()
        else:
            self._accounts[account_id] = (count - 1, unsubscribe)

    def _hold_account(self, account_id: int) -> None:
        held = self._accounts.get(account_id)
        if held is None:
            self._accounts[account_id] = (1, self._changes.subscribe(account_id, self._on_changes))
        else:
            self._accounts[account_id] = (held[0] + 1, held[1])

    def _on_changes(self, changes: list[Any]) -> None:
        for change in changes:
            st = self._states.get(change.mailbox_id) if change.mailbox_id is not None else None
            if st is not None:
                st.notified += 1
        # a state nobody holds and not kept (SELECT failed half way) goes at the first notification
        for mailbox_id in [m for m, st in self._states.items()
                           if st.holders <= 0 and m not in self._busy and m not in self._idle]:
            self._drop(mailbox_id)
        if self._idle:
            self._trim()


def cache_of(ctx: Any) -> MailboxCache:
    """The process's cache, kept in ``ctx.extras`` (one ServerContext per process)."""
    cache = ctx.extras.get("imap.mailbox_cache")
    if cache is None:
        cache = ctx.extras["imap.mailbox_cache"] = MailboxCache(ctx.runner, ctx.changes)
    return cache


def with_counts(mb: Mailbox, st: MailboxState) -> Mailbox:
    """``mb`` (fresh name, flags of the row) with the version numbers of ``st``."""
    if mb.highestmodseq == st.highestmodseq and mb.uidnext == st.mailbox.uidnext:
        return mb
    return dataclasses.replace(mb, uidnext=st.mailbox.uidnext, highestmodseq=st.highestmodseq,
                               messages=len(st.uids))
