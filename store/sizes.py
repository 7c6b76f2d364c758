"""`stats(tx)`: what the store holds, for `postvak status` (servers/cli/status.py)."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import func, select, text

from postvak.store import schema


def stats(tx: Any) -> dict[str, int]:
    """messages, queue (entries), database_bytes, blob_bytes (sum of stored blob sizes)."""
    messages = tx.conn.execute(select(func.count()).select_from(schema.messages)).scalar_one()
    queued = tx.conn.execute(select(func.count()).select_from(schema.queue)).scalar_one()
    blob_bytes = tx.conn.execute(
        select(func.coalesce(func.sum(schema.blobs.c.size), 0)).where(schema.blobs.c.refcount > 0)
    ).scalar_one()
    return {
        "messages": int(messages),
        "queue": int(queued),
        "database_bytes": _database_bytes(tx),
        "blob_bytes": int(blob_bytes),
    }


def _database_bytes(tx: Any) -> int:
    if tx.is_postgres:
        return int(tx.conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    path = tx.conn.engine.url.database
    if path and path != ":memory:":
        # The WAL holds committed pages not yet checkpointed: part of the database too.
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    pages = tx.conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    size = tx.conn.exec_driver_sql("PRAGMA page_size").scalar_one()
    return int(pages) * int(size)
