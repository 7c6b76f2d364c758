"""SORT (RFC 5256 3) with DISPLAYFROM / DISPLAYTO (RFC 5957).

The searched messages are sorted in Python on data read in one store transaction
(store/imapsearch.py ``sort_rows``); ties keep sequence (= UID) order, as RFC 5256 3
requires, because Python's sort is stable, also when reversed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from postvak.protocols import mime
from postvak.protocols.imap import search as sk
from postvak.servers.imap.search import as_view, search_uids
from postvak.store import imapsearch
from postvak.store.imapsearch import SortRow

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ENV_INDEX = {"FROM": 2, "TO": 5, "CC": 6, "DISPLAYFROM": 2, "DISPLAYTO": 5}


def ascii_casemap(text: str) -> str:
    """RFC 4790 9.2 i;ascii-casemap: only ASCII letters fold."""
    return text.translate(_ASCII_LOWER)


def base_subject_key(subject: str) -> str:
    return ascii_casemap(mime.base_subject(subject)[0])


def _first_address(row: SortRow, index: int) -> list[Any] | None:
    env = row.envelope
    if not env or not env[index]:
        return None
    for addr in env[index]:
        if addr[3] is not None:  # skip group markers
            return list(addr)
    return None


def _addr_mailbox(row: SortRow, index: int) -> str:
    # RFC 5256 3: the addr-mailbox (local part) of the first address, i;ascii-casemap
    addr = _first_address(row, index)
    return ascii_casemap(addr[2] or "") if addr else ""


def _display(row: SortRow, index: int) -> str:
    # RFC 5957 3: the decoded display name of the first address, else its addr-spec;
    # i;unicode-casemap approximated by Unicode case folding.
    addr = _first_address(row, index)
    if not addr:
        return ""
    name = mime.decode_header(addr[0]) if addr[0] else ""
    if name.strip():
        return name.casefold()
    return (f"{addr[2]}@{addr[3]}" if addr[3] else addr[2] or "").casefold()


def _key(criterion: str) -> Callable[[SortRow], Any]:
    if criterion == "ARRIVAL":
        return lambda r: r.internal_date
    if criterion == "DATE":  # RFC 5256 3: the internal date when the sent date is unknown
        return lambda r: r.sent_date or r.internal_date
    if criterion == "SIZE":
        return lambda r: r.size
    if criterion == "SUBJECT":
        return lambda r: base_subject_key(r.subject)
    if criterion in ("FROM", "TO", "CC"):
        index = _ENV_INDEX[criterion]
        return lambda r: _addr_mailbox(r, index)
    if criterion in ("DISPLAYFROM", "DISPLAYTO"):
        index = _ENV_INDEX[criterion]
        return lambda r: _display(r, index)
    raise ValueError(f"unknown sort criterion {criterion}")


def sort_rows(rows: Sequence[SortRow], criteria: Sequence[Any]) -> list[int]:
    """UIDs in the order of ``criteria`` (objects with ``key`` and ``reverse``)."""
    ordered = sorted(rows, key=lambda r: r.uid)
    for c in reversed(criteria):  # least significant first; stable sorts compose
        ordered.sort(key=_key(c.key.upper()), reverse=c.reverse)
    return [r.uid for r in ordered]


async def sort_uids(ctx: Any, view: Any, criteria: Sequence[Any], key: sk.SearchKey, *, charset: str = "UTF-8") -> list[int]:
    """RFC 5256 SORT: UIDs of the view's messages matching ``key``, in sort order."""
    view = as_view(view)
    uids = await search_uids(ctx, view, key, charset=charset)
    if not uids:
        return []
    rows = await ctx.runner.read(imapsearch.sort_rows, view.mailbox_id, uids)
    return sort_rows(rows, criteria)
