"""Date-time text of ActiveSync: [MS-ASDTYPE] 2.3 dateTime, "YYYY-MM-DDTHH:MM:SS.000Z".

Also the compact form of 16.x InstanceId/ProposedStartTime, "YYYYMMDDTHHMMSSZ".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime


def format_date(when: datetime) -> str:
    """UTC text with milliseconds; a naive datetime is taken as UTC."""
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def format_compact(when: datetime) -> str:
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y%m%dT%H%M%SZ")


_LONG = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z")


def parse_date(text: str) -> datetime:
    """Parse either form into an aware UTC datetime; ValueError when it is neither."""
    text = text.strip()
    m = _LONG.fullmatch(text)
    frac = ""
    if m:
        frac = m.group(7) or ""
    else:
        m = _COMPACT.fullmatch(text)
        if not m:
            raise ValueError(f"not an ActiveSync date: {text!r}")
    y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
    micro = int(frac.ljust(6, "0")) if frac else 0
    return datetime(y, mo, d, h, mi, s, micro, tzinfo=UTC)
