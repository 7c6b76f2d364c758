"""The maildrop lock (RFC 1939 8: one POP3 session per maildrop), in the store's
state table so it holds across processes, with an expiry so a crashed process
does not lock the mailbox forever; live sessions refresh it.

Each session writes its own key (its token). Acquiring refuses when another live
key exists; SQLite serialises writers so that check is exact. On PostgreSQL two
acquisitions can cross, so the caller re-reads after commit and backs off when it
sees a rival: at worst both back off (the client retries), never both hold it.
These functions take a transaction first and call only store functions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from postvak.store import state

SCOPE = "pop3.lock"


def _expiry(ttl: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=ttl)


def holders(tx: Any, account_id: int) -> list[str]:
    """Tokens of the live (unexpired) locks on this account's maildrop."""
    return [entry.key for entry in state.list_entries(tx, SCOPE, account_id)]


def acquire(tx: Any, account_id: int, token: str, ttl: float) -> bool:
    if any(key != token for key in holders(tx, account_id)):
        return False
    state.put(tx, SCOPE, account_id, token, {"since": datetime.now(UTC).isoformat()}, expires=_expiry(ttl))
    return True


def refresh(tx: Any, account_id: int, token: str, ttl: float) -> None:
    state.put(tx, SCOPE, account_id, token, {"refreshed": datetime.now(UTC).isoformat()}, expires=_expiry(ttl))


def release(tx: Any, account_id: int, token: str) -> None:
    state.delete_key(tx, SCOPE, account_id, token)
