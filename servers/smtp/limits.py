"""Per-user submission limits: messages per day (counted in the store, so every
process and a restart see the same number) and recipients per message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from postvak.store import state

SCOPE = "submission"


def day_key(now: datetime | None = None) -> str:
    return "sent:" + (now or datetime.now(UTC)).strftime("%Y-%m-%d")


def sent_today(tx: Any, account_id: int, key: str) -> int:
    return int(state.get(tx, SCOPE, account_id, key, 0) or 0)


def count_sent(tx: Any, account_id: int, key: str, n: int = 1) -> int:
    """Write job: add `n` messages to today's count (kept two days, then it expires)."""
    total = sent_today(tx, account_id, key) + n
    state.put(tx, SCOPE, account_id, key, total, expires=datetime.now(UTC) + timedelta(days=2))
    return total


def user_limit(settings: Any, name: str) -> int:
    """Configured limit (`submission.<name>`); 0 means unlimited."""
    conf = getattr(settings, "submission", None)
    return int(conf.get(name, 0)) if conf is not None else 0
