"""THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256 2.1, 3, 4).

Returns trees of ``ThreadNode`` (protocols/imap/formatter.py) holding UIDs; a node
whose number is None is a missing parent. ``renumber`` maps a tree to sequence
numbers for the non-UID command.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from postvak.protocols import mime
from postvak.protocols.imap import search as sk
from postvak.protocols.imap.formatter import ThreadNode
from postvak.servers.imap.search import as_view, search_uids
from postvak.servers.imap.sort import ascii_casemap
from postvak.store import imapsearch
from postvak.store.imapsearch import ThreadRow

ALGORITHMS = ("ORDEREDSUBJECT", "REFERENCES")


async def thread_uids(ctx: Any, view: Any, algorithm: str, key: sk.SearchKey, *, charset: str = "UTF-8") -> list[ThreadNode]:
    view = as_view(view)
    algorithm = algorithm.upper()
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown THREAD algorithm {algorithm}")
    uids = await search_uids(ctx, view, key, charset=charset)
    if not uids:
        return []
    rows = await ctx.runner.read(imapsearch.thread_rows, view.mailbox_id, uids)
    return ordered_subject(rows) if algorithm == "ORDEREDSUBJECT" else references(rows)


def renumber(roots: Sequence[ThreadNode], seq_of: Any) -> list[ThreadNode]:
    """The same trees with each UID replaced by ``seq_of(uid)`` (messages gone are skipped)."""
    def one(node: ThreadNode) -> list[ThreadNode]:
        kids = tuple(k for c in node.children for k in one(c))
        if node.number is None:
            return [ThreadNode(None, kids)]
        seq = seq_of(node.number)
        return list(kids) if seq is None else [ThreadNode(seq, kids)]
    return [n for r in roots for n in one(r)]


def _subject(row: ThreadRow) -> tuple[str, bool]:
    base, is_reply = mime.base_subject(row.subject)
    return ascii_casemap(base), is_reply


# -- ORDEREDSUBJECT (RFC 5256 3) ----------------------------------------------------------
def ordered_subject(rows: Sequence[ThreadRow]) -> list[ThreadNode]:
    """Messages grouped by base subject; each thread sorted by sent date; the first is
    the parent of all the others; threads ordered by the sent date of their first."""
    groups: dict[str, list[ThreadRow]] = {}
    for row in sorted(rows, key=lambda r: (r.date, r.uid)):
        groups.setdefault(_subject(row)[0], []).append(row)
    threads = sorted(groups.values(), key=lambda g: (g[0].date, g[0].uid))
    return [ThreadNode(g[0].uid, tuple(ThreadNode(r.uid) for r in g[1:])) for g in threads]


# -- REFERENCES (RFC 5256 3, steps 1-6) ---------------------------------------------------
class _Box:
    """A container: a message, or a dummy for a Message-ID seen only in references."""

    __slots__ = ("row", "parent", "children")

    def __init__(self, row: ThreadRow | None = None) -> None:
        self.row = row
        self.parent: _Box | None = None
        self.children: list[_Box] = []

    def reaches(self, other: _Box) -> bool:
        """Whether ``other`` is this container or one of its ancestors."""
        node: _Box | None = self
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False

    def unlink(self) -> None:
        if self.parent is not None:
            self.parent.children.remove(self)
            self.parent = None

    def link(self, parent: _Box) -> None:
        self.unlink()
        self.parent = parent
        parent.children.append(self)


def _first_date(box: _Box) -> tuple[datetime, int]:
    if box.row is not None:
        return (box.row.date, box.row.uid)
    return min(_first_date(c) for c in box.children)


def references(rows: Sequence[ThreadRow]) -> list[ThreadNode]:
    table: dict[str, _Box] = {}
    boxes: list[_Box] = []
    for row in sorted(rows, key=lambda r: r.uid):
        # 1.B: a container for this message; a duplicate Message-ID gets a unique one
        mid = row.message_id
        box = table.get(mid) if mid else None
        if box is None or box.row is not None:
            box = _Box(row)
            if mid and mid not in table:
                table[mid] = box
        else:
            box.row = row
        boxes.append(box)
        # 1.A: link the references in order, parent before child, never making a loop
        prev: _Box | None = None
        for ref in row.references:
            ref_box = table.get(ref)
            if ref_box is None:
                ref_box = table[ref] = _Box()
            if prev is not None and ref_box.parent is None and not prev.reaches(ref_box):
                ref_box.link(prev)
            prev = ref_box
        # 1.C: the last reference is the parent of this message (replacing any other)
        if prev is not None and not prev.reaches(box):
            box.link(prev)
        elif prev is None:
            box.unlink()
    # 2: the root set
    roots = [b for b in {id(b): b for b in list(table.values()) + boxes}.values() if b.parent is None]
    # 4: prune dummies
    root = _Box()
    for b in roots:
        b.parent = root
        root.children.append(b)
    _prune(root)
    _group_by_subject(root)
    # 6: sort siblings by sent date (a dummy by its earliest child), then UID
    return [_node(b) for b in _sorted(root.children)]


def _prune(box: _Box) -> None:
    for child in list(box.children):
        _prune(child)
    for child in list(box.children):
        if child.row is not None:
            continue
        if not child.children:  # 4.A: an empty dummy goes
            child.unlink()
        elif box.parent is not None or len(child.children) == 1:
            # 4.B: promote the children, but not to the root unless there is only one
            i = box.children.index(child)
            child.unlink()
            for k in child.children:
                k.parent = box
            box.children[i:i] = child.children
            child.children = []


def _thread_subject(box: _Box) -> tuple[str, bool] | None:
    if box.row is not None:
        return _subject(box.row)
    first = min(box.children, key=_first_date, default=None)
    return _subject(first.row) if first is not None and first.row is not None else None


def _group_by_subject(root: _Box) -> None:
    # 5.A/B: one container per base subject, preferring a dummy, then a non-reply
    table: dict[str, _Box] = {}
    for box in root.children:
        found = _thread_subject(box)
        if found is None or not found[0]:
            continue
        subject, is_reply = found
        old = table.get(subject)
        if old is None or (box.row is None and old.row is not None) or (
            old.row is not None and _subject(old.row)[1] and not is_reply
        ):
            table[subject] = box
    # 5.C: merge the other roots of each subject into that container
    for box in list(root.children):
        found = _thread_subject(box)
        if found is None or not found[0]:
            continue
        subject, is_reply = found
        other = table[subject]
        if other is box:
            continue
        if other.row is None and box.row is None:
            for k in list(box.children):
                k.link(other)
            box.unlink()
        elif other.row is None:
            box.link(other)
        elif box.row is not None and is_reply and not _subject(other.row)[1]:
            box.link(other)
        else:
            dummy = _Box()
            i = root.children.index(other)
            other.unlink()
            box.unlink()
            dummy.parent = root
            root.children.insert(i, dummy)
            other.link(dummy)
            box.link(dummy)
            table[subject] = dummy


def _sorted(boxes: list[_Box]) -> list[_Box]:
    return sorted(boxes, key=_first_date)


def _node(box: _Box) -> ThreadNode:
    kids = tuple(_node(c) for c in _sorted(box.children))
    return ThreadNode(box.row.uid if box.row is not None else None, kids)
