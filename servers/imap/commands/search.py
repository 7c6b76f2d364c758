"""SEARCH / UID SEARCH (ESEARCH RFC 4731, SEARCHRES RFC 5182, MODSEQ RFC 7162 3.1.5), SORT and
THREAD (RFC 5256, ESORT RFC 5267). Evaluation lives in servers/imap/search.py; this module
turns results into responses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from postvak.protocols.imap import codes
from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap import requests as rq
from postvak.servers.imap.errors import Bad, No

if TYPE_CHECKING:
    from postvak.servers.imap.selected import SelectedView
    from postvak.servers.imap.session import ImapSession

CHARSETS = ("UTF-8", "US-ASCII")


def _engine(module: str = "search") -> Any:
    """servers/imap/search.py, sort.py and thread.py evaluate; this module answers."""
    import importlib

    try:
        return importlib.import_module(f"postvak.servers.imap.{module}")
    except ImportError as exc:
        raise No(f"{module} is not available", codes.UNAVAILABLE) from exc


def _check_charset(charset: str | None) -> None:
    if charset is not None and charset.upper() not in CHARSETS:
        raise No(f"charset {charset[:40]} is not supported", codes.badcharset(CHARSETS))  # RFC 9051 6.4.4


def _numbers(view: SelectedView, uids: list[int], uid: bool) -> list[int]:
    """The numbers to answer with, in the order of ``uids`` (SORT's order, say)."""
    if uid:
        return uids
    return [n for n in (view.seq_of(u) for u in uids) if n is not None]


def _mentions_modseq(key: Any) -> bool:
    return "ModSeq(" in repr(key)


async def search(s: ImapSession, tag: str, req: rq.Search) -> None:
    view = s.view
    _check_charset(req.charset)
    if req.key is not None and _mentions_modseq(req.key):
        s.enabled.add("CONDSTORE")
    held = view.held(sorted(await _engine().search_uids(s.ctx, view, req.key)))
    uids = [u for u, _ in held]
    numbers = uids if req.uid else [n for _, n in held]  # _numbers' answer, without a bisect per uid
    modseq = None
    if _mentions_modseq(req.key) and uids:
        modseq = max(view.modseqs.get(u, 0) for u in uids)  # RFC 7162 3.1.5
    returns = req.returns
    if returns is None and s.rev2:
        returns = ()  # RFC 9051 6.4.4: IMAP4rev2 always answers ESEARCH
    if returns is None:
        s.write(fmt.search_response(numbers, modseq))
        return
    opts = {r.upper() for r in returns} or {"ALL"}
    if "SAVE" in opts:
        # RFC 5182 2.1: with only MIN and/or MAX besides SAVE, only those are saved.
        if opts - {"SAVE"} and opts - {"SAVE"} <= {"MIN", "MAX"}:
            keep = set()
            if "MIN" in opts and uids:
                keep.add(uids[0])
            if "MAX" in opts and uids:
                keep.add(uids[-1])
            view.saved = tuple(sorted(keep))
        else:
            view.saved = tuple(uids)
        opts.discard("SAVE")
        if not opts:
            return  # RFC 5182 2.1: SAVE alone gives no ESEARCH response
    s.write(fmt.esearch_response(
        tag, req.uid,
        min=numbers[0] if "MIN" in opts and numbers else None,
        max=numbers[-1] if "MAX" in opts and numbers else None,
        all=numbers if "ALL" in opts and numbers else None,
        count=len(numbers) if "COUNT" in opts else None,
        modseq=modseq,
    ))


async def sort(s: ImapSession, tag: str, req: rq.Sort) -> None:
    view = s.view
    _check_charset(req.charset)
    engine = _engine("sort")
    if not hasattr(engine, "sort_uids"):
        raise Bad("SORT is not supported")
    uids = [u for u in await engine.sort_uids(s.ctx, view, req.criteria, req.key) if view.seq_of(u) is not None]
    numbers = _numbers(view, uids, req.uid)
    if req.returns is None:
        s.write(fmt.sort_response(numbers))
        return
    opts = {r.upper() for r in req.returns} or {"ALL"}
    # RFC 5267 3.2: ESORT's ALL keeps the sort order, so it is not compacted into ranges.
    parts = ["ESEARCH", f"(TAG {fmt.quoted(tag).decode()})"] + (["UID"] if req.uid else [])
    if "MIN" in opts and numbers:
        parts.append(f"MIN {min(numbers)}")
    if "MAX" in opts and numbers:
        parts.append(f"MAX {max(numbers)}")
    if "ALL" in opts and numbers:
        parts.append("ALL " + ",".join(str(n) for n in numbers))
    if "COUNT" in opts:
        parts.append(f"COUNT {len(numbers)}")
    s.write(fmt.data(" ".join(parts)))


async def thread(s: ImapSession, tag: str, req: rq.Thread) -> None:
    view = s.view
    _check_charset(req.charset)
    engine = _engine("thread")
    if not hasattr(engine, "thread_uids"):
        raise Bad("THREAD is not supported")
    roots = await engine.thread_uids(s.ctx, view, req.algorithm, req.key)
    if not req.uid:
        roots = [_renumber(view, r) for r in roots]
    s.write(fmt.thread_response(roots))


def _renumber(view: SelectedView, node: fmt.ThreadNode) -> fmt.ThreadNode:
    number = None if node.number is None else view.seq_of(node.number)
    return fmt.ThreadNode(number, tuple(_renumber(view, c) for c in node.children))
