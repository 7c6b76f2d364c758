"""Outbound queue: one entry per message with per-recipient status; bytes in a blob."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import select, update

from postvak.store import schema
from postvak.store.errors import NotFound
from postvak.store.types import QueueItem, QueueRecipient
from postvak.store.util import now, utc

Q = schema.queue
PENDING, SENT, FAILED = "pending", "sent", "failed"


def _item(r: Any) -> QueueItem:
    return QueueItem(
        r.id, r.sender, tuple(QueueRecipient(x["address"], x["status"], x.get("detail", "")) for x in r.recipients),
        r.blob_sha, int(r.size), int(r.attempts), utc(r.next_attempt), utc(r.created), r.last_error,  # type: ignore[arg-type]
    )


def enqueue(tx: Any, sender: str, recipients: list[str], raw: bytes, *, not_before: datetime | None = None) -> int:
    ref = tx.blobs.put(tx, raw)
    rcpts = [{"address": a, "status": PENDING, "detail": ""} for a in dict.fromkeys(recipients)]
    created = now()
    return int(tx.conn.execute(
        Q.insert().values(
            sender=sender, recipients=rcpts, blob_sha=ref.sha256, size=ref.size, attempts=0,
            next_attempt=utc(not_before) or created, created=created,
        ).returning(Q.c.id)
    ).scalar_one())


def due(tx: Any, now_: datetime | None = None, limit: int = 50, lease_seconds: int = 300) -> list[QueueItem]:
    """Entries due for an attempt. They are leased (next_attempt pushed ahead) so that
    another process's queue runner does not take them meanwhile."""
    at = utc(now_) or now()
    query = select(Q).where(Q.c.next_attempt <= at).order_by(Q.c.next_attempt, Q.c.id).limit(limit)
    if tx.is_postgres:
        query = query.with_for_update(skip_locked=True)
    rows = tx.conn.execute(query).all()
    if rows:
        tx.conn.execute(
            update(Q).where(Q.c.id.in_([r.id for r in rows])).values(next_attempt=at + timedelta(seconds=lease_seconds))
        )
    return [_item(r) for r in rows]


def get(tx: Any, item_id: int) -> QueueItem:
    row = tx.conn.execute(select(Q).where(Q.c.id == item_id)).first()
    if row is None:
        raise NotFound(f"no queue entry {item_id}")
    return _item(row)


def list_queue(tx: Any) -> list[QueueItem]:
    return [_item(r) for r in tx.conn.execute(select(Q).order_by(Q.c.id))]


def mark(
    tx: Any, item_id: int, results: dict[str, tuple[str, str]], *, retry_at: datetime | None = None,
    error: str | None = None,
) -> QueueItem | None:
    """Record an attempt: results maps address -> (status, detail). When no recipient is
    pending any more the entry is removed (returns None); else it waits until retry_at."""
    item = get(tx, item_id)
    rcpts = []
    for r in item.recipients:
        status, detail = results.get(r.address, (r.status, r.detail))
        rcpts.append({"address": r.address, "status": status, "detail": detail})
    if all(r["status"] != PENDING for r in rcpts):
        _drop(tx, item)
        return None
    tx.conn.execute(
        update(Q).where(Q.c.id == item_id).values(
            recipients=rcpts, attempts=Q.c.attempts + 1, next_attempt=utc(retry_at) or now(), last_error=error,
        )
    )
    return get(tx, item_id)


def retry(tx: Any, item_id: int) -> None:
    """Try again now."""
    if tx.conn.execute(update(Q).where(Q.c.id == item_id).values(next_attempt=now())).rowcount == 0:
        raise NotFound(f"no queue entry {item_id}")


def delete_item(tx: Any, item_id: int) -> None:
    _drop(tx, get(tx, item_id))


def _drop(tx: Any, item: QueueItem) -> None:
    tx.conn.execute(sql_delete(Q).where(Q.c.id == item.id))
    tx.blobs.unref(tx, item.blob_sha)


delete = delete_item  # the brief's name (list/get/delete/retry)
