"""Which server module serves which listener. Each module exposes
`listener(ctx, name, settings) -> StreamListener | AsyncioListener | HttpListener`.
A module that does not exist yet leaves its port closed (logged at start)."""

from __future__ import annotations

import importlib
from typing import Any

SERVER_MODULES = {
    "smtp": "postvak.servers.smtp.server",
    "submission": "postvak.servers.smtp.server",
    "submissions": "postvak.servers.smtp.server",
    "imap": "postvak.servers.imap.server",
    "imaps": "postvak.servers.imap.server",
    "pop3": "postvak.servers.pop3.server",
    "pop3s": "postvak.servers.pop3.server",
    "managesieve": "postvak.servers.managesieve.server",
    "https": "postvak.servers.activesync.server",
}


def server_module(listener_name: str) -> Any | None:
    module_name = SERVER_MODULES.get(listener_name)
    if module_name is None:
        return None
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
