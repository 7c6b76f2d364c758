"""Ping ([MS-ASCMD] 2.2.1.13): push by long poll.

Heartbeat bounds come from settings (activesync.heartbeat_min/max); outside them
the answer is Status 5 with the bound. An empty Ping repeats the last one's
parameters (kept in the store, so any process and a restart know them); without
any, Status 3. Folders the device does not know: Status 7 (FolderSync first).
"""

from __future__ import annotations

from typing import Any

from postvak.protocols.activesync import build_ping_response, parse_ping
from postvak.protocols.activesync import status as S
from postvak.protocols.activesync.element import Element
from postvak.servers.activesync import state
from postvak.servers.activesync.commands.sync import pending_changes
from postvak.servers.activesync.ids import BadId, folder_id, parse_folder
from postvak.servers.activesync.push import SUPERSEDED, Push
from postvak.servers.activesync.request import Request
from postvak.store import mailboxes

MAX_FOLDERS = 300


def bounds(ctx: Any) -> tuple[int, int]:
    section = getattr(ctx.settings, "activesync", None)
    return int(getattr(section, "heartbeat_min", 60)), int(getattr(section, "heartbeat_max", 3540))


async def handle(req: Request) -> Element:
    p = parse_ping(req.tree) if req.tree is not None else None
    heartbeat = p.heartbeat_interval if p else None
    folders = [[f.id, f.class_] for f in p.folders] if p else []
    cache_key = f"ping:{req.device_id}"
    cached = await req.read(state.get, req.account.id, cache_key) if req.persistent else None
    if heartbeat is None or not folders:
        if cached is None:
            return build_ping_response(S.PING_MISSING_PARAMETERS)
        heartbeat = heartbeat if heartbeat is not None else cached["heartbeat"]
        folders = folders or cached["folders"]
    low, high = bounds(req.ctx)
    if heartbeat < low or heartbeat > high:
        return build_ping_response(S.PING_HEARTBEAT_OUT_OF_RANGE, heartbeat_interval=low if heartbeat < low else high)
    if len(folders) > MAX_FOLDERS:
        return build_ping_response(S.PING_TOO_MANY_FOLDERS, max_folders=MAX_FOLDERS)
    if req.persistent and cached != {"heartbeat": heartbeat, "folders": folders}:
        await req.write(state.put, req.account.id, cache_key, {"heartbeat": heartbeat, "folders": folders})
    boxes = {m.id: m for m in await req.read(mailboxes.list_mailboxes, req.account.id)}
    watched: set[int] = set()
    for fid, _class in folders:
        try:
            box_id = parse_folder(fid)
        except BadId:
            return build_ping_response(S.PING_FOLDER_SYNC_REQUIRED)
        if box_id not in boxes:
            return build_ping_response(S.PING_FOLDER_SYNC_REQUIRED)
        watched.add(box_id)
    waiter = Push.of(req.ctx).start(req.account.id, req.device_id, watched)
    try:
        ready = await pending_changes(req, [boxes[b] for b in sorted(watched)])
        if ready:
            return build_ping_response(S.PING_CHANGES_OCCURRED, changed=[folder_id(b) for b in sorted(ready)])
        changed = await waiter.result(heartbeat)
    finally:
        waiter.close()
    if changed is SUPERSEDED or not changed:
        return build_ping_response(S.PING_HEARTBEAT_EXPIRED)
    return build_ping_response(S.PING_CHANGES_OCCURRED, changed=[folder_id(b) for b in sorted(changed)])
