"""A Date header far from when the message actually arrived (RFC 5322 3.6.1 says it is the
origination time): bulk tools stamp stale or future dates to sort to the top of inboxes."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

PAST_HOURS = 96  # clock skew and slow queues stay well inside four days
FUTURE_HOURS = 24


def _parse(value: str) -> datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def arrival(msg: ParsedMessage) -> datetime | None:
    """The time stamped by the newest (topmost) Received header: our side's view of arrival."""
    for received in msg.header_all("received")[:1]:
        stamp = received.rpartition(";")[2]
        return _parse(stamp)
    return None


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    value = msg.header("date")
    if not value:
        return []  # missing_headers covers it
    sent = _parse(value)
    if sent is None:
        return [Hit("DATE_INVALID", settings.points("DATE_INVALID", 1.0), "Date header unparsable")]
    received = arrival(msg)
    if received is None:
        return []
    hours = (received - sent).total_seconds() / 3600
    if hours > PAST_HOURS:
        return [Hit("DATE_IN_PAST", settings.points("DATE_IN_PAST", 0.5), f"Date {int(hours)} h before arrival")]
    if hours < -FUTURE_HOURS:
        return [Hit("DATE_IN_FUTURE", settings.points("DATE_IN_FUTURE", 1.5), f"Date {int(-hours)} h after arrival")]
    return []
