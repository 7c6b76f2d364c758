"""Per-user submission limits: messages per day (counted in the store, so every
process and a restart see the same number) and recipients per message.

The defaults are settings (`submission.max_messages_per_day`,
`submission.max_recipients_per_message`); an admin overrides them per user with
`postvak user limits ADDR --per-day N --recipients N`, kept in the state table
(scope "limits") so every `postvak serve` process sees the change at the next MAIL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from postvak.store import state

SCOPE = "submission"  # the daily counters
LIMITS_SCOPE = "limits"  # per-user overrides
LIMITS_KEY = "submission"
FIELDS = ("per_day", "recipients")  # 0 in either means unlimited


@dataclass(frozen=True)
class UserLimits:
    per_day: int  # messages per day, 0: unlimited
    recipients: int  # recipients per message, 0: unlimited
    sent_today: int = 0  # already submitted today (filled by `for_submission`)


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


def defaults(settings: Any) -> UserLimits:
    return UserLimits(user_limit(settings, "max_messages_per_day"),
                      user_limit(settings, "max_recipients_per_message"))


# -- per-user overrides (store jobs) ----------------------------------------------------
def get_overrides(tx: Any, account_id: int) -> dict[str, int]:
    """{"per_day": N, "recipients": N}, only the keys the admin set."""
    value = state.get(tx, LIMITS_SCOPE, account_id, LIMITS_KEY, None)
    if not isinstance(value, dict):
        return {}
    return {k: int(v) for k, v in value.items() if k in FIELDS and isinstance(v, int) and v >= 0}


def set_overrides(tx: Any, account_id: int, changes: dict[str, int | None]) -> dict[str, int]:
    """Write job: set (int >= 0) or drop (None: back to the setting) each given key;
    returns the overrides now in force."""
    current = get_overrides(tx, account_id)
    for key, value in changes.items():
        if key not in FIELDS:
            raise ValueError(f"unknown limit {key!r}")
        if value is None:
            current.pop(key, None)
        elif value < 0:
            raise ValueError(f"{key} must be 0 (unlimited) or more")
        else:
            current[key] = int(value)
    if current:
        state.put(tx, LIMITS_SCOPE, account_id, LIMITS_KEY, current)
    else:
        state.delete_key(tx, LIMITS_SCOPE, account_id, LIMITS_KEY)
    return current


def effective(base: UserLimits, overrides: dict[str, int]) -> UserLimits:
    return UserLimits(overrides.get("per_day", base.per_day), overrides.get("recipients", base.recipients),
                      base.sent_today)


def for_submission(tx: Any, account_id: int, base: UserLimits, key: str) -> UserLimits:
    """Read job at MAIL FROM: this user's limits and today's count in one transaction."""
    lim = effective(base, get_overrides(tx, account_id))
    return UserLimits(lim.per_day, lim.recipients, sent_today(tx, account_id, key))
