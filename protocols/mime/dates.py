"""RFC 5322 3.3 date-time (with the obsolete forms of 4.3) into an aware datetime."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
# RFC 5322 4.3 obs-zone; military zones are to be taken as -0000 (unknown), i.e. UTC.
_ZONES = {"ut": 0, "utc": 0, "gmt": 0, "z": 0, "edt": -4, "est": -5, "cdt": -5, "cst": -6,
          "mdt": -6, "mst": -7, "pdt": -7, "pst": -8, "cet": 1, "cest": 2, "bst": 1, "met": 1,
          "mest": 2, "eet": 2, "eest": 3, "jst": 9, "ist": 5}  # fmt: skip
_DATE = re.compile(
    r"(?:\s*[A-Za-z]+\s*,?)?\s*(\d{1,2})[\s-]*([A-Za-z]{3})[A-Za-z]*\.?[\s-]*(\d{2,4})"
    r"\s+(\d{1,2})\s*:\s*(\d{1,2})(?:\s*:\s*(\d{1,2}))?(?:\.\d+)?\s*(?:([+-])(\d\d):?(\d\d)|([A-Za-z]+))?"
)
# asctime form seen from old MTAs: "Mon Jan  2 15:04:05 2006"
_ASCTIME = re.compile(r"\s*[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{1,2}):(\d{1,2})\s+(\d{4})")


def parse_date(value: str | None) -> datetime | None:
    """Aware datetime of a Date header, or None when it cannot be understood."""
    if not value:
        return None
    m = _DATE.match(value)
    try:
        if m is not None:
            day, mon, year = int(m.group(1)), _MONTHS.get(m.group(2).lower()), int(m.group(3))
            hour, minute, sec = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
            if m.group(7):
                off = int(m.group(8)) * 60 + int(m.group(9))
                if off >= 24 * 60:
                    off = 0
                if m.group(7) == "-":
                    off = -off
            else:
                off = _ZONES.get((m.group(10) or "").lower(), 0) * 60
        else:
            a = _ASCTIME.match(value)
            if a is None:
                return None
            mon, day = _MONTHS.get(a.group(1).lower()), int(a.group(2))
            hour, minute, sec, year = int(a.group(3)), int(a.group(4)), int(a.group(5)), int(a.group(6))
            off = 0
        if mon is None:
            return None
        # RFC 5322 4.3: two-digit years below 50 are 20xx, three-digit years add 1900.
        if year < 50:
            year += 2000
        elif year < 1000:
            year += 1900
        sec = min(sec, 59)  # leap second
        return datetime(year, mon, day, hour, minute, sec, tzinfo=timezone(timedelta(minutes=off)))
    except (ValueError, OverflowError):
        return None
