"""Small helpers shared by the store modules (private)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite


def now() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    """Aware UTC datetimes in and out: SQLite hands back naive values."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def upsert(tx: Any, table: Any) -> Any:
    """INSERT ... ON CONFLICT for the current dialect."""
    return (postgresql.insert if tx.is_postgres else sqlite.insert)(table)


def normalize_address(address: str) -> str:
    """Addresses are compared case-insensitively; stored lower case."""
    return address.strip().strip("<>").lower()


def domain_of(address: str) -> str:
    return address.rpartition("@")[2]
