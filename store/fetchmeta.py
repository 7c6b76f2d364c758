"""Lean reads for IMAP FETCH and friends: only the columns the requested items need.

``messages.fetch_meta`` reads and JSON-decodes envelope, body structure, preview and
annotation for every message; a flags-only FETCH (the most common one: clients
resynchronising) needs none of that. Here the caller names the fields it wants and
gets ``FetchMeta`` rows in ascending uid order, decoded as little as possible.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select

from postvak.store import schema
from postvak.store.flags import COLUMNS, SPELLING
from postvak.store.util import Prepared

M = schema.messages
CHUNK = 500  # uids per IN (...): well under SQLite's bound-variable limit
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Optional field -> column. uid, modseq and the flag columns are always read.
OPTIONAL = {
    "internal_date": M.c.internal_date,
    "size": M.c.size,
    "blob_sha": M.c.blob_sha,
    "thread_id": M.c.thread_id,
    "envelope": M.c.envelope,
    "body": M.c.body,
    # The top-level [header_start, body_start, end] of the body structure ("o" in
    # BodyPart.to_json): all BODY[HEADER] / BODY[TEXT] need, without decoding the whole JSON.
    "offsets": M.c.body["o"],
    "preview": M.c.preview,
}
FIELDS = frozenset(OPTIONAL)
_BASE = (M.c.uid, M.c.modseq, *[M.c[c] for c in COLUMNS], M.c.keywords)
_NFLAG = len(COLUMNS)


class FetchMeta(NamedTuple):
    """One message as FETCH needs it. Fields not asked for keep their defaults
    (EPOCH, 0, "", None): read only what you asked ``fetch_meta`` for. A named tuple, not a
    frozen dataclass: one is made per message (a SELECT of a large mailbox makes them all),
    3x faster (1.75 -> 0.52 us)."""

    uid: int
    modseq: int
    flags: frozenset[str]
    internal_date: datetime = EPOCH
    size: int = 0
    blob_sha: str = ""
    thread_id: int | None = None
    envelope_json: Any = None
    body_json: Any = None
    offsets: tuple[int, int, int] | None = None  # top level (header_start, body_start, end)
    preview: str | None = None


# Flag sets repeat a lot (most messages are "\Seen" or nothing): share the frozensets.
_FLAG_SETS: dict[tuple[Any, ...], frozenset[str]] = {}
_FLAG_SETS_MAX = 4096


def _flags(key: tuple[Any, ...]) -> frozenset[str]:
    found = _FLAG_SETS.get(key)
    if found is not None:
        return found
    out = {SPELLING[c] for c, on in zip(COLUMNS, key, strict=False) if on}
    if key[_NFLAG]:
        out.update(key[_NFLAG].split(" "))
    flags = frozenset(out)
    if len(_FLAG_SETS) >= _FLAG_SETS_MAX:
        _FLAG_SETS.clear()
    _FLAG_SETS[key] = flags
    return flags


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; they are stored in UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def fetch_meta(tx: Any, mailbox_id: int, uids: Iterable[int], fields: Iterable[str] = ()) -> list[FetchMeta]:
    """Messages of ``mailbox_id`` among ``uids`` (missing ones skipped), ascending uid, with
    the flags, modseq and the optional ``fields`` (names in ``FIELDS``) filled in."""
    wanted = [f for f in OPTIONAL if f in set(fields)]
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValueError(f"unknown FetchMeta fields {sorted(unknown)}")
    keys = [_KEY[f] for f in wanted]
    items = sorted({int(u) for u in uids})
    out: list[FetchMeta] = []
    if not items:
        return out
    query = _query(tuple(wanted))
    for i in range(0, len(items), CHUNK):
        rows = query.tuples(tx, {"mailbox_id": mailbox_id, "uids": items[i : i + CHUNK]})
        for r in rows:
            extra: dict[str, Any] = {}
            for n, key in enumerate(keys):
                value = r[2 + _NFLAG + 1 + n]
                if key == "internal_date":
                    value = _utc(value)
                elif key == "size":
                    value = int(value)
                elif key == "offsets" and value is not None:
                    value = (int(value[0]), int(value[1]), int(value[2]))
                extra[key] = value
            out.append(FetchMeta(int(r[0]), int(r[1]), _flags(tuple(r[2 : 2 + _NFLAG + 1])), **extra))
    return out


_QUERIES: dict[tuple[str, ...], Prepared] = {}


def _query(wanted: tuple[str, ...]) -> Prepared:
    """One compiled statement per field combination (FETCH asks for a handful of them):
    a FETCH runs per command, and Core's per-execution overhead was most of a small one."""
    query = _QUERIES.get(wanted)
    if query is None:
        query = _QUERIES[wanted] = Prepared(
            select(*_BASE, *[OPTIONAL[f] for f in wanted])
            .where(M.c.mailbox_id == bindparam("mailbox_id"), M.c.uid.in_(bindparam("uids", expanding=True)))
            .order_by(M.c.uid)
        )
    return query


# FetchMeta attribute for each optional field (JSON columns get a _json suffix as in MessageMeta).
_KEY = {f: (f + "_json" if f in ("envelope", "body") else f) for f in OPTIONAL}


def all_uids(tx: Any, mailbox_id: int) -> list[int]:
    """Every uid in the mailbox, ascending (no other column read)."""
    rows = tx.conn.execute(select(M.c.uid).where(M.c.mailbox_id == mailbox_id).order_by(M.c.uid)).scalars()
    return [int(u) for u in rows]
