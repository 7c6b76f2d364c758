"""\\Recent for IMAP4rev1 sessions (RFC 3501 2.3.2), persistent and given to one session.

A message is \\Recent in the one session that is first told about it: the SELECT that
first lists it, or the session whose sync first announces it. The store keeps, per
mailbox, the highest UID already claimed (``recent_uid``, store/recent.py); a session
claims the UIDs above it on the writer, so of any number of sessions, in any number of
processes, exactly one gets each message, and mail delivered while nobody had the
mailbox selected is \\Recent for the next SELECT, after a restart too.

- EXAMINE claims nothing (RFC 3501 6.3.2: "MUST NOT cause messages to lose the \\Recent
  flag") but shows the unclaimed messages as \\Recent (2.3.2: "if the session is
  read-only, subsequent sessions will also see \\Recent set").
- IMAP4rev2 sessions (ENABLE IMAP4rev2) neither see nor claim it: RFC 9051 dropped
  \\Recent and the RECENT response, so such a session has nobody to announce it to and
  must not take it from a later IMAP4rev1 session.
- A SELECT (or sync) whose mailbox row shows nothing above the mark writes nothing.

``_marks`` remembers per process the highest UID known to be claimed, so when mail comes
to a mailbox that many sessions here have selected, one of them writes, not all.
"""

from __future__ import annotations

import bisect
from typing import Any

from postvak.servers.imap.selected import SelectedView
from postvak.store import recent as store_recent
from postvak.store.types import Mailbox, MessageMeta

MARKS_MAX = 10_000  # mailboxes remembered per process; past it the memory starts over

Span = tuple[int, int]  # UIDs in (low, high] are \Recent for the session


def _marks(ctx: Any) -> dict[tuple[int, int], int]:
    """(mailbox id, UIDVALIDITY) -> highest UID claimed; the UIDVALIDITY keeps a reused
    row id (SQLite may reuse the highest one) from inheriting an old mark."""
    marks = ctx.extras.get("imap.recent_marks")
    if marks is None:
        marks = ctx.extras["imap.recent_marks"] = {}
    return marks  # type: ignore[no-any-return]


async def span(ctx: Any, mailbox: Mailbox, top: int, *, claim: bool) -> Span | None:
    """The UIDs up to ``top`` that are \\Recent for this session, given ``mailbox`` (its row
    as last read: ``recent_uid`` may be behind the store's, never ahead). ``claim`` False
    (EXAMINE) shows what nobody has claimed without taking it."""
    marks = _marks(ctx)
    key = (mailbox.id, mailbox.uidvalidity)
    known = max(mailbox.recent_uid, marks.get(key, 0))
    if top <= known:
        return None  # nothing new: no write
    if not claim:
        return known, top
    if len(marks) >= MARKS_MAX:
        marks.clear()
    marks[key] = top  # sessions here that look from now on were told after this one
    try:
        return await ctx.runner.write(store_recent.claim, mailbox.id, top)  # type: ignore[no-any-return]
    except BaseException:
        if marks.get(key) == top:
            marks[key] = known  # not claimed after all: leave the messages to a later session
        raise


async def on_select(ctx: Any, view: SelectedView, mailbox: Mailbox) -> None:
    """SELECT / EXAMINE: mark the view's \\Recent messages (claimed for SELECT)."""
    top = view.uids[-1] if view.uids else 0
    got = await span(ctx, mailbox, top, claim=not view.readonly)
    if got is not None:
        low, high = got
        view.recent.update(view.uids[bisect.bisect_right(view.uids, low) : bisect.bisect_right(view.uids, high)])


def claim_in_append(tx: Any, mailbox_id: int, top: int) -> Span | None:
    """In the APPEND's own transaction, for a session that has the target mailbox selected
    (not EXAMINEd, not IMAP4rev2): its sync right after announces the new messages, so they
    are \\Recent there. One write instead of the APPEND's and then the sync's claim."""
    return store_recent.claim(tx, mailbox_id, top)  # type: ignore[no-any-return]


def note_claimed(ctx: Any, view: SelectedView, mailbox: Mailbox, got: Span) -> None:
    """``claim_in_append``'s span, kept for the view's next sync (``on_sync``)."""
    marks = _marks(ctx)
    key = (mailbox.id, mailbox.uidvalidity)
    if marks.get(key, 0) < got[1]:
        if len(marks) >= MARKS_MAX:
            marks.clear()
        marks[key] = got[1]
    view.claimed = got if view.claimed is None else (min(view.claimed[0], got[0]), max(view.claimed[1], got[1]))


async def on_sync(ctx: Any, view: SelectedView, mailbox: Mailbox, changed: list[MessageMeta],
                  rev2: bool) -> list[Span]:
    """Before ``view.apply``: which of the arrivals in ``changed`` are \\Recent here."""
    if rev2:
        return []
    top = view.uids[-1] if view.uids else 0
    newest = max((m.uid for m in changed), default=0)
    if newest <= top:
        return []  # no arrivals: flag changes only (a claimed span waits for its sync)
    pre, view.claimed = view.claimed, None
    if pre is not None and newest <= pre[1]:
        return [pre]  # claimed by this session's APPEND already: no write
    got = await span(ctx, mailbox, newest, claim=not view.readonly)
    return [s for s in (pre, got) if s is not None]
