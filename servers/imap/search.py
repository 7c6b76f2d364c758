"""SEARCH for the IMAP session (RFC 9051 6.4.4, RFC 3501 6.4.4, RFC 5182 SEARCHRES).

The session owns what only it knows: message sequence numbers, the saved result
``$`` and \\Recent. Those keys are resolved here to UID sets against the session's
view; everything else is evaluated in the store (store/imapsearch.py) in one read
transaction, limited to the UIDs the session's view holds.

``view`` is the session's SelectedView (servers/imap/selected.py: ``mailbox_id``,
``uids``, ``resolve``, ``recent``, ``saved``) or a plain ``(mailbox_id, uids)`` pair.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from itertools import compress
from typing import Any

from postvak.protocols.imap import search as sk
from postvak.protocols.imap.seqset import SequenceSet
from postvak.store import imapsearch
from postvak.store.imapsearch import UidSet


@dataclass
class PlainView:
    """The minimum a search needs; what a ``(mailbox_id, uids)`` pair becomes."""

    mailbox_id: int
    uids: list[int]
    recent: set[int] = field(default_factory=set)
    saved: tuple[int, ...] = ()

    def resolve(self, seqset: SequenceSet, uid: bool) -> list[int]:
        if seqset.saved:
            return [u for u in self.saved if _has(self.uids, u)]
        if not self.uids:
            return []
        if uid:
            out: list[int] = []
            for a, b in seqset.resolve(self.uids[-1]):
                out.extend(self.uids[bisect.bisect_left(self.uids, a) : bisect.bisect_right(self.uids, b)])
            return out
        n = len(self.uids)
        return [self.uids[i - 1] for a, b in seqset.resolve(n) for i in range(a, min(b, n) + 1)]


def _has(uids: list[int], uid: int) -> bool:
    i = bisect.bisect_left(uids, uid)
    return i < len(uids) and uids[i] == uid


def as_view(view: Any) -> Any:
    if isinstance(view, tuple):
        mailbox_id, uids = view
        return PlainView(mailbox_id, sorted(uids))
    return view


def resolve_key(view: Any, key: sk.SearchKey) -> imapsearch.Key:
    """Replace session-only keys by UID sets (``Seq``, ``Uid``, ``$``, \\Recent)."""
    if isinstance(key, sk.Seq):
        # RFC 5182 2.1: "$" in place of a sequence set means the saved result
        return UidSet(frozenset(view.resolve(key.seqset, key.seqset.saved)))
    if isinstance(key, sk.Uid):
        return UidSet(frozenset(view.resolve(key.seqset, True)))
    if isinstance(key, sk.Flag) and key.flag.lower() == "\\recent":
        recent = frozenset(getattr(view, "recent", ()) or ())
        return UidSet(recent) if key.present else sk.Not(UidSet(recent))
    if isinstance(key, sk.And):
        return sk.And(tuple(resolve_key(view, k) for k in key.keys))  # type: ignore[arg-type]
    if isinstance(key, sk.Or):
        return sk.Or(resolve_key(view, key.left), resolve_key(view, key.right))  # type: ignore[arg-type]
    if isinstance(key, sk.Not):
        return sk.Not(resolve_key(view, key.key))  # type: ignore[arg-type]
    return key


async def search_uids(ctx: Any, view: Any, key: sk.SearchKey, *, charset: str = "UTF-8") -> list[int]:
    """UIDs (ascending) of the view's messages matching ``key``.

    ``charset`` was checked by the parser (UTF-8 / US-ASCII, RFC 9051 6.4.4); search
    strings arrive as text, so nothing is left to convert."""
    view = as_view(view)
    resolved = resolve_key(view, key)
    uids = list(view.uids)
    if not uids:
        return []
    flags = getattr(view, "flags", None)
    if flags is not None and _in_view(resolved):
        from postvak.servers.imap.selected import is_current

        if await is_current(ctx, view):
            return sorted(_eval(resolved, uids, flags, view.modseqs, {}))
    return await ctx.runner.read(imapsearch.search, view.mailbox_id, resolved, uids)


# --- flags, numbers and modseqs: answered from the session's view -------------------------
def _in_view(key: Any) -> bool:
    """Whether ``key`` needs nothing but what the view holds (flags, uids, modseqs)."""
    if isinstance(key, (sk.All, sk.Flag, sk.ModSeq, UidSet)):
        return True
    if isinstance(key, sk.And):
        return all(_in_view(k) for k in key.keys)
    if isinstance(key, sk.Or):
        return _in_view(key.left) and _in_view(key.right)
    if isinstance(key, sk.Not):
        return _in_view(key.key)
    return False


def _eval(key: Any, uids: list[int], flags: dict[int, frozenset[str]], modseqs: dict[int, int],
          lowered: dict[frozenset[str], frozenset[str]]) -> set[int]:
    """The uids among ``uids`` matching ``key``, with the store's semantics (imapsearch):
    flags and keywords compare case-insensitively (RFC 9051 2.3.2), MODSEQ is >= (RFC 7162
    3.1.5), an unknown system flag is never set."""
    if isinstance(key, sk.All):
        return set(uids)
    if isinstance(key, UidSet):
        return key.uids.intersection(uids)
    if isinstance(key, sk.Flag):
        want = key.flag.lower()
        # Messages share a few flag sets: decide once per distinct set, then pick the uids.
        sets = list(map(flags.get, uids))  # map, compress: no Python step per message
        verdict: dict[frozenset[str] | None, bool] = {}
        for fs in set(sets):
            low: frozenset[str] = frozenset()
            if fs is not None:
                low = lowered.get(fs) or frozenset(f.lower() for f in fs)
                lowered[fs] = low
            verdict[fs] = (want in low) == key.present
        return set(compress(uids, map(verdict.__getitem__, sets)))
    if isinstance(key, sk.ModSeq):
        return {u for u in uids if modseqs.get(u, 0) >= key.modseq}
    if isinstance(key, sk.Not):
        return set(uids) - _eval(key.key, uids, flags, modseqs, lowered)
    if isinstance(key, sk.Or):
        return _eval(key.left, uids, flags, modseqs, lowered) | _eval(key.right, uids, flags, modseqs, lowered)
    assert isinstance(key, sk.And)
    found = set(uids)
    for k in key.keys:
        found &= _eval(k, sorted(found), flags, modseqs, lowered)
    return found
