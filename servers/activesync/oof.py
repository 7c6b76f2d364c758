"""Out-of-office ([MS-ASCMD] 2.2.3.119 Oof) as the user's vacation rule.

The rule itself is written by servers/core/vacation.py (one "Out of office" rule in
the rules layout, `vacation` under RFC 5260 `currentdate` tests), so the reply,
its start and its end are enforced by delivery's Sieve run whoever set them.
OofState 2 (time-based, 2.2.3.118) becomes the start/end dates; 1 has none. What
only ActiveSync knows (the state number it was given, per-audience texts) is kept
beside it in the state table, but Get always answers from the rule, so a change
made in Roundcube or `postvak filter` is what the phone sees. Each function takes
a transaction (store jobs for the runner).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from postvak.protocols.activesync.dates import format_date, parse_date
from postvak.servers.activesync import state
from postvak.servers.core import vacation

KEY = "oof"
DEFAULT_REPLY = "I am out of the office."


class NotRulesLayout(Exception):
    """The active script is hand-written Sieve: we will not rewrite it."""


class BadDates(Exception):
    """Unreadable StartTime/EndTime, or an end before the start."""


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise BadDates(text) from exc


def get_oof(tx: Any, account_id: int) -> dict[str, Any]:
    v = vacation.get_vacation(tx, account_id)
    if not v.enabled:
        oof_state = 0
    elif v.start is not None or v.end is not None:
        oof_state = 2
    else:
        oof_state = 1
    return {"state": oof_state,
            "start": format_date(v.start) if v.start and oof_state == 2 else None,
            "end": format_date(v.end) if v.end and oof_state == 2 else None,
            "reply": v.text}


def set_oof(tx: Any, account_id: int, oof: dict[str, Any]) -> None:
    timed = oof["state"] == 2
    start, end = (_date(oof.get("start")), _date(oof.get("end"))) if timed else (None, None)
    if timed and start is not None and end is not None and end < start:
        raise BadDates("EndTime before StartTime")
    try:
        vacation.set_vacation(tx, account_id, enabled=bool(oof["state"]), start=start, end=end,
                              subject="Out of office", text=oof.get("reply") or DEFAULT_REPLY)
    except vacation.NotRulesLayout as exc:
        raise NotRulesLayout(str(exc)) from exc
    state.put(tx, account_id, KEY, oof)
