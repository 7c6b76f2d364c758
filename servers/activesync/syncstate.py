"""Per-collection Sync state ([MS-ASCMD] 2.2.3.177.17, SyncKey "{uuid}N").

A record is {uuid, n, cur, prev, opts}: `cur` is what the device has after our
answer carrying key N, `prev` what it had under key N-1, kept until the device
uses key N (it may have lost our last answer and repeat N-1). A state is
    have  ranges of uids the device holds          m     modseq watermark
    skip  {uid: modseq} of the device's own changes (not echoed back)
    hms   the mailbox's highest modseq when we last answered
    more  whether MoreAvailable was left pending
"""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

from postvak.servers.activesync import state


def empty_state() -> dict[str, Any]:
    return {"have": [], "m": 0, "skip": {}, "hms": 0, "more": True}


def to_ranges(uids: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for u in sorted(uids):
        if out and out[-1][1] == u - 1:
            out[-1][1] = u
        else:
            out.append([u, u])
    return out


def from_ranges(ranges: list[list[int]]) -> set[int]:
    out: set[int] = set()
    for a, b in ranges:
        out.update(range(a, b + 1))
    return out


def format_key(uid: str, n: int) -> str:
    return f"{{{uid}}}{n}"


def parse_key(text: str) -> tuple[str, int] | None:
    if not text.startswith("{") or "}" not in text:
        return None
    uid, _, n = text[1:].partition("}")
    return (uid, int(n)) if n.isdigit() and len(uid) <= 40 else None


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def adjust_have(tx: Any, account_id: int, device_id: str, folder: str, add: list[int], remove: list[int]) -> None:
    """The device already knows about its own move: fix both its states, so the
    next Sync neither re-adds nor re-deletes those items."""
    key = state.sync_key_name(device_id, folder)
    record = state.get(tx, account_id, key)
    if not record:
        return
    for which in ("cur", "prev"):
        st = record.get(which)
        if st is None:
            continue
        have = (from_ranges(st["have"]) | set(add)) - set(remove)
        st["have"] = to_ranges(have)
    state.put(tx, account_id, key, record)
