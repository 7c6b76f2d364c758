"""GetItemEstimate ([MS-ASCMD] 2.2.1.9): how many changes the next Sync would bring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from postvak.protocols.activesync import build_getitemestimate_response, parse_getitemestimate
from postvak.protocols.activesync import status as S
from postvak.protocols.activesync.element import Element
from postvak.servers.activesync import state
from postvak.servers.activesync import syncstate as SS
from postvak.servers.activesync.commands.sync import FILTER_DAYS, _mailbox
from postvak.servers.activesync.request import Request
from postvak.store import messages


async def handle(req: Request) -> Element:
    r = parse_getitemestimate(req.need_tree())
    results: list[tuple[str, int, int | None]] = []
    for c in r.collections:
        box = await _mailbox(req, c.collection_id)
        if box is None:
            results.append((c.collection_id, S.ESTIMATE_INVALID_COLLECTION, None))
            continue
        record = await req.read(state.get, req.account.id, state.sync_key_name(req.device_id, c.collection_id))
        parsed = SS.parse_key(c.sync_key or "")
        if not record or c.sync_key in (None, "0"):
            results.append((c.collection_id, S.ESTIMATE_SYNC_NOT_PRIMED, None))
            continue
        if parsed is None or parsed[0] != record["uuid"] or parsed[1] not in (record["n"], record["n"] - 1):
            results.append((c.collection_id, S.ESTIMATE_INVALID_SYNCKEY, None))
            continue
        st = record["cur"] if parsed[1] == record["n"] else (record.get("prev") or record["cur"])
        snap = await req.read(messages.snapshot, box.id)
        present = {m.uid: m for m in snap.messages}
        days = FILTER_DAYS.get((record.get("opts") or {}).get("filter") or 0)
        if days:
            since = datetime.now(UTC) - timedelta(days=days)
            present = {u: m for u, m in present.items() if m.internal_date >= since}
        have = SS.from_ranges(st["have"])
        skip = {int(k): v for k, v in st.get("skip", {}).items()}
        count = sum(1 for u in have if u not in present)
        count += sum(1 for u, m in present.items()
                     if u not in have or (m.modseq > st["m"] and skip.get(u) != m.modseq))
        results.append((c.collection_id, S.ESTIMATE_SUCCESS, count))
    return build_getitemestimate_response(results)
