"""Mailboxes as ActiveSync folders ([MS-ASCMD] 2.2.3.186.3 folder types).

Exactly one folder gets each default type (Inbox, Drafts, Deleted Items, Sent
Items): phones pick "the" Sent folder by type and misbehave with two. Everything
else is a user mail folder (12). A folder's parent is the mailbox named by its
path up to the last "/"; the display name is the last path segment.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from postvak.protocols.activesync import Folder
from postvak.protocols.activesync.cmd_folders import (
    FOLDER_TYPE_DELETED,
    FOLDER_TYPE_DRAFTS,
    FOLDER_TYPE_INBOX,
    FOLDER_TYPE_SENT,
    FOLDER_TYPE_USER_MAIL,
)
from postvak.servers.activesync.ids import folder_id

SPECIAL_TYPES = {"\\Drafts": FOLDER_TYPE_DRAFTS, "\\Trash": FOLDER_TYPE_DELETED, "\\Sent": FOLDER_TYPE_SENT}


def folder_type(mailbox: Any) -> int:
    if mailbox.name.upper() == "INBOX":
        return FOLDER_TYPE_INBOX
    return SPECIAL_TYPES.get(mailbox.special_use or "", FOLDER_TYPE_USER_MAIL)


def to_folders(mailboxes: Iterable[Any]) -> list[Folder]:
    boxes = sorted(mailboxes, key=lambda m: (m.name.count("/"), m.id))
    by_name = {m.name: m for m in boxes}
    taken: set[int] = set()
    out = []
    for m in boxes:
        kind = folder_type(m)
        if kind != FOLDER_TYPE_USER_MAIL:
            if kind in taken:
                kind = FOLDER_TYPE_USER_MAIL
            taken.add(kind)
        parent_name, sep, leaf = m.name.rpartition("/")
        parent = by_name.get(parent_name) if sep else None
        out.append(Folder(folder_id(m.id), folder_id(parent.id) if parent else "0", leaf if sep else m.name, kind))
    return out


def as_map(folders: Iterable[Folder]) -> dict[str, list[Any]]:
    return {f.server_id: [f.parent_id, f.display_name, f.type] for f in folders}


def diff(old: dict[str, list[Any]], new: dict[str, list[Any]]) -> tuple[list[Folder], list[Folder], list[str]]:
    """(added, updated, deleted) to bring a device from `old` to `new`."""
    added = [Folder(k, *v) for k, v in new.items() if k not in old]
    updated = [Folder(k, *v) for k, v in new.items() if k in old and list(old[k]) != list(v)]
    deleted = [k for k in old if k not in new]
    return added, updated, deleted
