"""`postvak status`: what the store holds, at a glance."""

from __future__ import annotations

import argparse
import importlib
import os
from typing import Any

from postvak.servers.cli import validate
from postvak.servers.cli.context import CliContext, sqlite_path
from postvak.store import accounts


def register(sub: Any) -> None:
    p = sub.add_parser("status", help="domains, accounts, messages, queue, store and blob sizes")
    p.set_defaults(run=run)


def folder_size(path: str) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass  # a blob removed while we walk
    return total


def _store_stats() -> Any:
    """postvak.store.stats(tx) -> dict, when the store provides it (messages, queue, sizes)."""
    found = getattr(importlib.import_module("postvak.store"), "stats", None)
    if found is None:
        try:
            found = importlib.import_module("postvak.store.stats")
        except ModuleNotFoundError:
            return None
    return getattr(found, "stats", found) if not callable(found) else found


def run(ctx: CliContext, args: argparse.Namespace) -> int:
    s = ctx.settings
    domains = ctx.read(accounts.list_domains)
    users = ctx.read(accounts.list_accounts)
    rows: list[tuple[str, str]] = [
        ("config", str(s.config_path)),
        ("store", s.store.url.split("@")[-1] if "@" in s.store.url else s.store.url),  # never print a password
        ("domains", str(len(domains))),
        ("accounts", str(len(users))),
        ("mail stored", validate.human_size(sum(u.used_bytes for u in users))),
    ]
    stats_fn = _store_stats()
    stats: dict[str, Any] = dict(ctx.read(stats_fn)) if callable(stats_fn) else {}
    for key in ("messages", "queue"):
        rows.append((key, str(stats[key]) if key in stats else "unknown (store has no stats())"))
    db_file = sqlite_path(s.store.url)
    if db_file is not None:
        size = sum(os.path.getsize(p) for p in (db_file, db_file + "-wal") if os.path.exists(p))
        rows.append(("database size", validate.human_size(size)))
    elif "database_bytes" in stats:
        rows.append(("database size", validate.human_size(int(stats["database_bytes"]))))
    if s.store.blob_backend == "files":
        rows.append(("blob size", validate.human_size(folder_size(s.store.blob_dir))))
    elif "blob_bytes" in stats:
        rows.append(("blob size", validate.human_size(int(stats["blob_bytes"]))))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key + ':':<{width + 1}} {value}")
    return 0
