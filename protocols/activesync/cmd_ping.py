"""Ping ([MS-ASCMD] 2.2.1.13): wait for changes in some folders, up to a heartbeat."""

from __future__ import annotations

from dataclasses import dataclass

from .cmd_common import PG, RequestError, expect_root, need_text, opt_int
from .element import Element
from .status import PING_SYNTAX_ERROR


@dataclass(frozen=True)
class PingFolder:
    id: str
    class_: str  # Email, Calendar, Contacts, Tasks, Notes


@dataclass(frozen=True)
class PingRequest:
    heartbeat_interval: int | None  # seconds; None: reuse the last one (empty Ping)
    folders: tuple[PingFolder, ...]  # empty: reuse the last list


def parse_ping(root: Element) -> PingRequest:
    expect_root(root, "Ping:Ping", PING_SYNTAX_ERROR)
    folders = root.find("Folders")
    out = []
    for f in folders.findall("Folder") if folders is not None else []:
        out.append(PingFolder(need_text(f, "Id", PING_SYNTAX_ERROR, 64),
                              need_text(f, "Class", PING_SYNTAX_ERROR, 32)))
    if folders is not None and not out:
        raise RequestError("Folders without Folder", PING_SYNTAX_ERROR)
    return PingRequest(opt_int(root, "HeartbeatInterval", PING_SYNTAX_ERROR), tuple(out))


def build_ping_response(status: int, *, changed: list[str] | tuple[str, ...] = (),
                        heartbeat_interval: int | None = None, max_folders: int | None = None) -> Element:
    """changed folder ids with status 2; the allowed bound with 5 (HeartbeatInterval) or 6 (MaxFolders)."""
    return PG("Ping", PG("Status", text=status),
              PG("Folders", *[PG("Folder", text=f) for f in changed]) if changed else None,
              PG("HeartbeatInterval", text=heartbeat_interval) if heartbeat_interval is not None else None,
              PG("MaxFolders", text=max_folders) if max_folders is not None else None)
