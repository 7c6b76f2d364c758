"""FolderSync, FolderCreate, FolderUpdate, FolderDelete ([MS-ASCMD] 2.2.1.2-5).

The hierarchy state per device holds the folder map the device has, under the
current key, plus the previous one: a device that lost our last answer repeats
its key and gets the same changes again.
"""

from __future__ import annotations

from typing import Any

from postvak.protocols.activesync import (
    build_foldercreate_response,
    build_folderdelete_response,
    build_foldersync_response,
    build_folderupdate_response,
    parse_foldercreate,
    parse_folderdelete,
    parse_foldersync,
    parse_folderupdate,
)
from postvak.protocols.activesync import status as S
from postvak.protocols.activesync.element import Element
from postvak.servers.activesync import folders as F
from postvak.servers.activesync import state
from postvak.servers.activesync.ids import BadId, folder_id, parse_folder
from postvak.servers.activesync.request import CommandFailed, Request
from postvak.store import mailboxes
from postvak.store.errors import AlreadyExists, Forbidden, NotFound, StoreError


def _key(device_id: str) -> str:
    return f"folders:{device_id}"


async def current_folders(req: Request) -> dict[str, list[Any]]:
    boxes = await req.read(mailboxes.list_mailboxes, req.account.id)
    return F.as_map(F.to_folders(boxes))


async def handle_sync(req: Request) -> Element:
    sync_key = parse_foldersync(req.need_tree()).sync_key
    now = await current_folders(req)
    aid = req.account.id
    saved = await req.read(state.get, aid, _key(req.device_id)) if req.persistent else None
    if sync_key == "0":
        if req.persistent:
            await req.write(state.drop_collection_states, aid, req.device_id)
            await req.write(state.put, aid, _key(req.device_id), {"key": 1, "folders": now, "prev": None})
        added, _, _ = F.diff({}, now)
        return build_foldersync_response(S.FOLDER_SUCCESS, "1", added=added)
    if saved is None:
        raise CommandFailed(S.FOLDER_INVALID_SYNCKEY)
    if sync_key == str(saved["key"]):
        base = saved["folders"]
    elif saved.get("prev") is not None and sync_key == str(saved["key"] - 1):
        base = saved["prev"]
        saved = {"key": saved["key"] - 1, "folders": base, "prev": None}
    else:
        raise CommandFailed(S.FOLDER_INVALID_SYNCKEY)
    added, updated, deleted = F.diff(base, now)
    if not (added or updated or deleted):
        return build_foldersync_response(S.FOLDER_SUCCESS, sync_key)
    new_key = saved["key"] + 1
    await req.write(state.put, aid, _key(req.device_id), {"key": new_key, "folders": now, "prev": base})
    return build_foldersync_response(S.FOLDER_SUCCESS, str(new_key), added=added, updated=updated, deleted=deleted)


async def _check_key(req: Request, sync_key: str) -> dict[str, Any]:
    if not req.persistent:
        return {"key": int(sync_key) if sync_key.isdigit() else 0, "folders": {}, "prev": None}
    saved = await req.read(state.get, req.account.id, _key(req.device_id))
    if saved is None or sync_key != str(saved["key"]):
        raise CommandFailed(S.FOLDER_INVALID_SYNCKEY)
    return saved


async def _advance(req: Request, saved: dict[str, Any], changed: dict[str, list[Any] | None]) -> str:
    """Record that the device already knows about its own change; returns the new key."""
    folders = dict(saved["folders"])
    for fid, entry in changed.items():
        if entry is None:
            folders.pop(fid, None)
        else:
            folders[fid] = entry
    new_key = saved["key"] + 1
    if req.persistent:
        await req.write(state.put, req.account.id, _key(req.device_id),
                        {"key": new_key, "folders": folders, "prev": saved["folders"]})
    return str(new_key)


async def _mailbox(req: Request, fid: str) -> Any:
    try:
        box = await req.read(mailboxes.get_mailbox_by_id, parse_folder(fid))
    except (BadId, NotFound):
        return None
    return box if box.account_id == req.account.id else None


def _status_of(exc: StoreError) -> int:
    if isinstance(exc, AlreadyExists):
        return S.FOLDER_ALREADY_EXISTS
    if isinstance(exc, Forbidden):
        return S.FOLDER_IS_SYSTEM_FOLDER
    if isinstance(exc, NotFound):
        return S.FOLDER_DOES_NOT_EXIST
    return S.FOLDER_SERVER_ERROR


async def _entry(req: Request, box_id: int) -> list[Any] | None:
    return (await current_folders(req)).get(folder_id(box_id))


async def handle_create(req: Request) -> Element:
    r = parse_foldercreate(req.need_tree())
    saved = await _check_key(req, r.sync_key)
    name = r.display_name.strip()
    if "/" in name:
        raise CommandFailed(S.FOLDER_MALFORMED_REQUEST)
    if r.parent_id != "0":
        parent = await _mailbox(req, r.parent_id)
        if parent is None:
            return build_foldercreate_response(S.FOLDER_PARENT_NOT_FOUND)
        name = f"{parent.name}/{name}"
    try:
        box = await req.write(mailboxes.create_mailbox, req.account.id, name)
    except StoreError as exc:
        return build_foldercreate_response(_status_of(exc))
    new_key = await _advance(req, saved, {folder_id(box.id): await _entry(req, box.id)})
    return build_foldercreate_response(S.FOLDER_SUCCESS, new_key, folder_id(box.id))


async def handle_update(req: Request) -> Element:
    r = parse_folderupdate(req.need_tree())
    saved = await _check_key(req, r.sync_key)
    box = await _mailbox(req, r.server_id)
    if box is None:
        return build_folderupdate_response(S.FOLDER_DOES_NOT_EXIST)
    parent_name = ""
    if r.parent_id != "0":
        parent = await _mailbox(req, r.parent_id)
        if parent is None:
            return build_folderupdate_response(S.FOLDER_PARENT_NOT_FOUND)
        parent_name = parent.name + "/"
    if "/" in r.display_name or not r.display_name.strip():
        raise CommandFailed(S.FOLDER_MALFORMED_REQUEST)
    try:
        await req.write(mailboxes.rename_mailbox, req.account.id, box.name, parent_name + r.display_name.strip())
    except StoreError as exc:
        return build_folderupdate_response(_status_of(exc))
    new_key = await _advance(req, saved, {r.server_id: await _entry(req, box.id)})
    return build_folderupdate_response(S.FOLDER_SUCCESS, new_key)


async def handle_delete(req: Request) -> Element:
    r = parse_folderdelete(req.need_tree())
    saved = await _check_key(req, r.sync_key)
    box = await _mailbox(req, r.server_id)
    if box is None:
        return build_folderdelete_response(S.FOLDER_DOES_NOT_EXIST)
    if box.system or box.name.upper() == "INBOX":
        return build_folderdelete_response(S.FOLDER_IS_SYSTEM_FOLDER)
    try:
        await req.write(mailboxes.delete_mailbox, req.account.id, box.name)
    except StoreError as exc:
        return build_folderdelete_response(_status_of(exc))
    new_key = await _advance(req, saved, {r.server_id: None})
    return build_folderdelete_response(S.FOLDER_SUCCESS, new_key)
