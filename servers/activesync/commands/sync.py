"""Sync ([MS-ASCMD] 2.2.1.21): the SyncKey state machine per device and collection,
client Change/Delete/Fetch (and 16.x draft Add), server Add/Change/Delete/SoftDelete
in windows of at most 512 with MoreAvailable.

What the device holds is a set of uids plus a modseq watermark (syncstate.py), so a
delta is computed from one snapshot of the mailbox: uids we have not sent are
Adds, uids gone are Deletes, uids whose modseq passed the watermark are Changes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from postvak.protocols.activesync import (
    CommandResult,
    ServerCommand,
    SyncCollectionResponse,
    build_sync_response,
    parse_sync,
)
from postvak.protocols.activesync import status as S
from postvak.protocols.activesync.cmd_sync import (
    MAX_WINDOW,
    ClientCommand,
    SyncCollection,
    SyncOptions,
    SyncRequest,
    build_limit_response,
)
from postvak.protocols.activesync.element import E, Element
from postvak.servers.activesync import mailitem, state
from postvak.servers.activesync import syncstate as SS
from postvak.servers.activesync.ids import BadId, item_id, parse_folder, parse_item
from postvak.servers.activesync.push import Push
from postvak.servers.activesync.request import CommandFailed, Request
from postvak.store import mailboxes, messages
from postvak.store.errors import NotFound, QuotaExceeded

DEFAULT_WINDOW = 100
FILTER_DAYS = {1: 1, 2: 3, 3: 7, 4: 14, 5: 31, 6: 92, 7: 183}


def _opts_to_json(o: SyncOptions) -> dict[str, Any]:
    choice = mailitem.choose_body(o)
    return {"filter": o.filter_type, "body": [choice.type, choice.truncation, choice.preview] if choice else None}


def _body_choice(opts: dict[str, Any]) -> mailitem.BodyChoice | None:
    b = opts.get("body")
    return mailitem.BodyChoice(*b) if b else None


async def _mailbox(req: Request, cid: str) -> Any:
    try:
        box = await req.read(mailboxes.get_mailbox_by_id, parse_folder(cid))
    except (BadId, NotFound):
        return None
    return box if box.account_id == req.account.id else None


async def handle(req: Request) -> Element | None:
    if req.tree is None:
        sync = await _cached_request(req)
    else:
        sync = parse_sync(req.tree)
        if not sync.collections:
            sync = await _cached_request(req, sync)
        elif req.persistent:
            remembered = [[c.collection_id, c.window_size] for c in sync.collections]
            await req.write(state.put, req.account.id, f"lastsync:{req.device_id}",
                            {"collections": remembered, "wait": sync.wait, "hb": sync.heartbeat_interval})
    low, high = _bounds(req)
    if sync.wait is not None and not 1 <= sync.wait <= 59:
        return build_limit_response(S.SYNC_INVALID_WAIT_OR_HEARTBEAT, 1 if sync.wait < 1 else 59)
    if sync.heartbeat_interval is not None and not low <= sync.heartbeat_interval <= high:
        return build_limit_response(S.SYNC_INVALID_WAIT_OR_HEARTBEAT,
                                    low if sync.heartbeat_interval < low else high)
    long_poll = sync.heartbeat_interval or (sync.wait * 60 if sync.wait else None)
    waiter = None
    if long_poll:
        ids = {int(c.collection_id) for c in sync.collections if c.collection_id.isdigit()}
        waiter = Push.of(req.ctx).start(req.account.id, req.device_id, ids)
    try:
        results = [await _collection(req, c, sync.window_size) for c in sync.collections]
        if waiter is not None and not any(_interesting(r) for r in results):
            changed = await waiter.result(long_poll)  # type: ignore[arg-type]
            if not changed:
                return None  # [MS-ASCMD] 2.2.1.21: an empty answer means "nothing changed"
            results = [await _collection(req, c, sync.window_size) for c in sync.collections]
    finally:
        if waiter is not None:
            waiter.close()
    return build_sync_response(results)


def _interesting(r: SyncCollectionResponse) -> bool:
    return bool(r.commands or r.responses or r.status != S.SYNC_SUCCESS or r.more_available)


def _bounds(req: Request) -> tuple[int, int]:
    section = getattr(req.ctx.settings, "activesync", None)
    return int(getattr(section, "heartbeat_min", 60)), int(getattr(section, "heartbeat_max", 3540))


async def _cached_request(req: Request, given: SyncRequest | None = None) -> SyncRequest:
    """2.2.3.28: an empty Sync repeats the last one with the current keys; none: Status 13."""
    cached = await req.read(state.get, req.account.id, f"lastsync:{req.device_id}") if req.persistent else None
    if not cached:
        raise CommandFailed(S.SYNC_INCOMPLETE_REQUEST)
    cols = []
    for cid, window in cached["collections"]:
        record = await req.read(state.get, req.account.id, state.sync_key_name(req.device_id, cid))
        if record is None:
            raise CommandFailed(S.SYNC_INCOMPLETE_REQUEST)
        cols.append(SyncCollection(SS.format_key(record["uuid"], record["n"]), cid, None, window, None, (), ()))
    wait = given.wait if given and given.wait is not None else cached.get("wait")
    hb = given.heartbeat_interval if given and given.heartbeat_interval is not None else cached.get("hb")
    return SyncRequest(tuple(cols), wait, hb, given.window_size if given else None)


async def _collection(req: Request, c: SyncCollection, global_window: int | None) -> SyncCollectionResponse:
    box = await _mailbox(req, c.collection_id)
    if box is None:
        return SyncCollectionResponse(c.collection_id, S.SYNC_FOLDER_HIERARCHY_CHANGED)
    aid, name = req.account.id, state.sync_key_name(req.device_id, c.collection_id)
    record = await req.read(state.get, aid, name) if req.persistent else None
    opts = _opts_to_json(c.options[0]) if c.options else ((record or {}).get("opts") or {})
    if c.sync_key == "0":
        # Idempotent: a repeated key 0 before anything was sent gets the same key 1.
        if record and record["n"] == 1 and not record["cur"]["have"]:
            uid = record["uuid"]
        else:
            uid = SS.new_uuid()
        if req.persistent:
            await req.write(state.put, aid, name, {"uuid": uid, "n": 1, "cur": SS.empty_state(), "prev": None,
                                                  "opts": opts})
        return SyncCollectionResponse(c.collection_id, S.SYNC_SUCCESS, SS.format_key(uid, 1))
    parsed = SS.parse_key(c.sync_key)
    if record is None or parsed is None or parsed[0] != record["uuid"]:
        return SyncCollectionResponse(c.collection_id, S.SYNC_INVALID_SYNCKEY, "0")
    if parsed[1] == record["n"]:
        base = record["cur"]
    elif parsed[1] == record["n"] - 1 and record.get("prev") is not None:
        base = record["prev"]
    else:
        return SyncCollectionResponse(c.collection_id, S.SYNC_INVALID_SYNCKEY, "0")
    st = {**base, "have": list(base["have"]), "skip": dict(base.get("skip", {}))}
    have = SS.from_ranges(st["have"])
    responses = await _client_commands(req, box, c, have, st, opts)
    get_changes = c.get_changes if c.get_changes is not None else True
    window = min(c.window_size or global_window or DEFAULT_WINDOW, MAX_WINDOW)
    commands: list[ServerCommand] = []
    more = False
    snap = await req.read(messages.snapshot, box.id)
    if get_changes:
        commands, more = await _server_changes(req, box, snap, have, st, opts, window)
    st["have"] = SS.to_ranges(have)
    st["hms"] = snap.mailbox.highestmodseq
    st["more"] = more
    if not commands and not responses and parsed[1] == record["n"] and base.get("hms") == st["hms"] \
            and not base.get("more") and record.get("opts") == opts:
        return SyncCollectionResponse(c.collection_id, S.SYNC_SUCCESS, c.sync_key)  # nothing new: same key
    n = parsed[1] + 1
    if req.persistent:
        await req.write(state.put, aid, name, {"uuid": record["uuid"], "n": n, "cur": st, "prev": base, "opts": opts})
    return SyncCollectionResponse(c.collection_id, S.SYNC_SUCCESS, SS.format_key(record["uuid"], n),
                                  commands=tuple(commands), responses=tuple(responses), more_available=more)


async def _server_changes(req: Request, box: Any, snap: Any, have: set[int], st: dict[str, Any],
                          opts: dict[str, Any], window: int) -> tuple[list[ServerCommand], bool]:
    present = {m.uid: m for m in snap.messages}
    in_view = present
    days = FILTER_DAYS.get(opts.get("filter") or 0)
    if days:
        since = datetime.now(UTC) - timedelta(days=days)
        in_view = {u: m for u, m in present.items() if m.internal_date >= since}
    skip = {int(k): v for k, v in st.get("skip", {}).items()}
    deletes = sorted(u for u in have if u not in in_view)
    changes = sorted((m.modseq, u) for u, m in in_view.items()
                     if u in have and m.modseq > st["m"] and skip.get(u) != m.modseq)
    adds = sorted((u for u in in_view if u not in have), reverse=True)  # newest first
    out: list[ServerCommand] = []
    for u in deletes[:window]:
        kind = "SoftDelete" if u in present else "Delete"
        out.append(ServerCommand(kind, item_id(box.id, u)))
        have.discard(u)
    room = window - len(out)
    sent_changes = changes[:max(room, 0)]
    for _, u in sent_changes:
        out.append(ServerCommand("Change", item_id(box.id, u), mailitem.changes_data(present[u], req.v)))
    room = window - len(out)
    chosen = adds[:max(room, 0)]
    out += await _adds(req, box, chosen, opts)
    have.update(chosen)
    more = len(deletes) + len(changes) + len(adds) > len(out)
    if len(sent_changes) < len(changes):
        st["m"] = sent_changes[-1][0] if sent_changes else st["m"]
    else:
        st["m"] = snap.mailbox.highestmodseq
    st["skip"] = {str(u): v for u, v in skip.items() if v > st["m"]}
    return out, more


async def _adds(req: Request, box: Any, uids: list[int], opts: dict[str, Any]) -> list[ServerCommand]:
    if not uids:
        return []
    metas = {m.uid: m for m in await req.read(messages.fetch_meta, box.id, uids)}
    choice = _body_choice(opts)
    raws: dict[int, bytes | None] = {}
    if choice is not None:
        found = [metas[u] for u in uids if u in metas]
        blobs = await asyncio.gather(*[mailitem.read_raw(req.ctx, m.blob_sha) for m in found])
        raws = {m.uid: raw for m, raw in zip(found, blobs, strict=True)}
    return [ServerCommand("Add", item_id(box.id, u), mailitem.email_data(metas[u], req.v, raws.get(u), choice))
            for u in uids if u in metas]


async def _client_commands(req: Request, box: Any, c: SyncCollection, have: set[int], st: dict[str, Any],
                           opts: dict[str, Any]) -> list[CommandResult]:
    results: list[CommandResult] = []
    for cmd in c.commands:
        try:
            result = await _one(req, box, c, cmd, have, st, opts)
        except (BadId, NotFound):
            result = CommandResult(cmd.kind, S.SYNC_OBJECT_NOT_FOUND, cmd.server_id, cmd.client_id)
        except QuotaExceeded:
            result = CommandResult(cmd.kind, S.SYNC_CANNOT_COMPLETE, cmd.server_id, cmd.client_id)
        if result is not None:
            results.append(result)
    return results


async def _one(req: Request, box: Any, c: SyncCollection, cmd: ClientCommand, have: set[int],
               st: dict[str, Any], opts: dict[str, Any]) -> CommandResult | None:
    if cmd.kind == "Add":
        return await _add_draft(req, box, cmd, have)
    ref = parse_item(cmd.server_id)
    if ref.mailbox_id != box.id:
        raise NotFound("item of another folder")
    if cmd.kind == "Fetch":
        metas = await req.read(messages.fetch_meta, box.id, [ref.uid])
        if not metas:
            raise NotFound("no such item")
        choice = _body_choice(opts) or mailitem.BodyChoice(mailitem.PLAIN, None, None)
        raw = await mailitem.read_raw(req.ctx, metas[0].blob_sha)
        return CommandResult("Fetch", S.SYNC_SUCCESS, cmd.server_id,
                             data=mailitem.email_data(metas[0], req.v, raw, choice))
    if cmd.kind == "Delete":
        deletes_as_moves = c.deletes_as_moves if c.deletes_as_moves is not None else True
        trash = await _trash(req)
        if deletes_as_moves and trash is not None and trash.id != box.id:
            moved = await req.write(messages.move, box.id, [ref.uid], trash.id)
        else:
            await req.write(messages.set_flags, box.id, [ref.uid], "add", ["\\Deleted"])
            moved = await req.write(messages.expunge, box.id, [ref.uid])
        have.discard(ref.uid)
        return None if moved else CommandResult("Delete", S.SYNC_OBJECT_NOT_FOUND, cmd.server_id)
    # Change: read, flag, categories ([MS-ASEMAIL] 2.2.2.x are the only writable fields)
    add, remove, cats = mailitem.client_flag_changes(cmd.data)
    changed = []
    if cats is not None:
        metas = await req.read(messages.fetch_meta, box.id, [ref.uid])
        if not metas:
            raise NotFound("no such item")
        old = set(mailitem.categories(metas[0].flags))
        remove |= old - set(cats)
        add |= set(cats) - old
    if add:
        changed += (await req.write(messages.set_flags, box.id, [ref.uid], "add", sorted(add)))[0]
    if remove:
        changed += (await req.write(messages.set_flags, box.id, [ref.uid], "remove", sorted(remove)))[0]
    for fs in changed:
        st.setdefault("skip", {})[str(fs.uid)] = fs.modseq  # the device knows: do not echo
    return None


async def _trash(req: Request) -> Any:
    try:
        return await req.read(mailboxes.get_special, req.account.id, "\\Trash")
    except NotFound:
        return None


async def _add_draft(req: Request, box: Any, cmd: ClientCommand, have: set[int]) -> CommandResult:
    """16.x: a client may add drafts (MIME body, [MS-ASEMAIL] 2.2.2.x IsDraft) to Drafts only."""
    if req.v < 16.0 or box.special_use != "\\Drafts" or cmd.data is None:
        return CommandResult("Add", S.SYNC_CONVERSION_ERROR, client_id=cmd.client_id)
    body = cmd.data.find("AirSyncBase:Body")
    data = body.find("AirSyncBase:Data") if body is not None else None
    if data is None:
        return CommandResult("Add", S.SYNC_CONVERSION_ERROR, client_id=cmd.client_id)
    raw = data.opaque if data.opaque is not None else data.value.encode("utf-8")
    flags = {"\\Draft"}
    add, _, _ = mailitem.client_flag_changes(cmd.data)
    flags |= add
    stored = await req.write(messages.ingest, req.account.id, box.id, raw, flags=frozenset(flags))
    have.add(stored.uid)
    return CommandResult("Add", S.SYNC_SUCCESS, item_id(box.id, stored.uid), cmd.client_id)


async def pending_changes(req: Request, boxes: list[Any]) -> set[int]:
    """Mailboxes with something the device has not been sent (for Ping): their
    highest modseq moved past what we last answered, or MoreAvailable was left."""
    out = set()
    for box in boxes:
        record = await req.read(state.get, req.account.id, state.sync_key_name(req.device_id, str(box.id)))
        if not record:
            continue
        cur = record["cur"]
        if cur.get("hms", 0) and (box.highestmodseq > cur["hms"] or cur.get("more")):
            out.add(box.id)
    return out


__all__ = ["handle", "pending_changes", "E"]
