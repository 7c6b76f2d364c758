"""FolderSync, FolderCreate, FolderUpdate, FolderDelete ([MS-ASCMD] 2.2.1.2-5)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .cmd_common import FH, RequestError, expect_root, need_text
from .element import Element
from .status import FOLDER_MALFORMED_REQUEST

# [MS-ASCMD] 2.2.3.186.3 folder Type values
FOLDER_TYPE_GENERIC = 1
FOLDER_TYPE_INBOX = 2
FOLDER_TYPE_DRAFTS = 3
FOLDER_TYPE_DELETED = 4
FOLDER_TYPE_SENT = 5
FOLDER_TYPE_OUTBOX = 6
FOLDER_TYPE_TASKS = 7
FOLDER_TYPE_CALENDAR = 8
FOLDER_TYPE_CONTACTS = 9
FOLDER_TYPE_NOTES = 10
FOLDER_TYPE_JOURNAL = 11
FOLDER_TYPE_USER_MAIL = 12
FOLDER_TYPE_USER_CALENDAR = 13
FOLDER_TYPE_USER_CONTACTS = 14
FOLDER_TYPE_USER_TASKS = 15
FOLDER_TYPE_USER_JOURNAL = 16
FOLDER_TYPE_USER_NOTES = 17
FOLDER_TYPE_UNKNOWN = 18
FOLDER_TYPE_RECIPIENT_CACHE = 19

MAX_KEY = 64
BAD = FOLDER_MALFORMED_REQUEST


@dataclass(frozen=True)
class Folder:
    server_id: str
    parent_id: str  # "0" for the root
    display_name: str
    type: int


@dataclass(frozen=True)
class FolderSyncRequest:
    sync_key: str


@dataclass(frozen=True)
class FolderCreateRequest:
    sync_key: str
    parent_id: str
    display_name: str
    type: int


@dataclass(frozen=True)
class FolderUpdateRequest:
    sync_key: str
    server_id: str
    parent_id: str
    display_name: str


@dataclass(frozen=True)
class FolderDeleteRequest:
    sync_key: str
    server_id: str


def _type(el: Element) -> int:
    try:
        value = int(need_text(el, "Type", BAD, 4))
    except ValueError as exc:
        raise RequestError("Type is not a number", BAD) from exc
    if not 1 <= value <= 19:
        raise RequestError("Type out of range", BAD)
    return value


def parse_foldersync(root: Element) -> FolderSyncRequest:
    expect_root(root, "FolderHierarchy:FolderSync", BAD)
    return FolderSyncRequest(need_text(root, "SyncKey", BAD, MAX_KEY))


def parse_foldercreate(root: Element) -> FolderCreateRequest:
    expect_root(root, "FolderHierarchy:FolderCreate", BAD)
    name = need_text(root, "DisplayName", BAD)
    if not name.strip():
        raise RequestError("empty DisplayName", BAD)
    return FolderCreateRequest(need_text(root, "SyncKey", BAD, MAX_KEY), need_text(root, "ParentId", BAD, 64),
                               name, _type(root))


def parse_folderupdate(root: Element) -> FolderUpdateRequest:
    expect_root(root, "FolderHierarchy:FolderUpdate", BAD)
    return FolderUpdateRequest(need_text(root, "SyncKey", BAD, MAX_KEY), need_text(root, "ServerId", BAD, 64),
                               need_text(root, "ParentId", BAD, 64), need_text(root, "DisplayName", BAD))


def parse_folderdelete(root: Element) -> FolderDeleteRequest:
    expect_root(root, "FolderHierarchy:FolderDelete", BAD)
    return FolderDeleteRequest(need_text(root, "SyncKey", BAD, MAX_KEY), need_text(root, "ServerId", BAD, 64))


def _folder(tag: str, f: Folder) -> Element:
    return FH(tag, FH("ServerId", text=f.server_id), FH("ParentId", text=f.parent_id),
              FH("DisplayName", text=f.display_name), FH("Type", text=f.type))


def build_foldersync_response(status: int, sync_key: str | None = None, *, added: Sequence[Folder] = (),
                              updated: Sequence[Folder] = (), deleted: Sequence[str] = ()) -> Element:
    """2.2.1.5: Changes carries Count then Update/Delete/Add; on error only Status."""
    if sync_key is None:
        return FH("FolderSync", FH("Status", text=status))
    changes = [FH("Count", text=len(added) + len(updated) + len(deleted))]
    changes += [_folder("Update", f) for f in updated]
    changes += [FH("Delete", FH("ServerId", text=s)) for s in deleted]
    changes += [_folder("Add", f) for f in added]
    return FH("FolderSync", FH("Status", text=status), FH("SyncKey", text=sync_key),
              FH("Changes", *changes))


def build_foldercreate_response(status: int, sync_key: str | None = None,
                                server_id: str | None = None) -> Element:
    return FH("FolderCreate", FH("Status", text=status),
              FH("SyncKey", text=sync_key) if sync_key is not None else None,
              FH("ServerId", text=server_id) if server_id is not None else None)


def build_folderupdate_response(status: int, sync_key: str | None = None) -> Element:
    return FH("FolderUpdate", FH("Status", text=status),
              FH("SyncKey", text=sync_key) if sync_key is not None else None)


def build_folderdelete_response(status: int, sync_key: str | None = None) -> Element:
    return FH("FolderDelete", FH("Status", text=status),
              FH("SyncKey", text=sync_key) if sync_key is not None else None)
