"""RFC 5260 date and index: the date and currentdate tests with :zone, :originalzone
and the date parts of section 4.2."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from .errors import SieveRuntimeError, SieveSyntaxError
from .spec import INDEX, MATCHING, Call, Spec, TagSpec, tags

if TYPE_CHECKING:
    from .runtime import State

PARTS = ("year", "month", "day", "date", "julian", "hour", "minute", "second",
         "time", "iso8601", "std11", "zone", "weekday")
_ZONE = re.compile(r"([+-])([0-9]{2})([0-9]{2})")
_MJD_EPOCH = date(1858, 11, 17)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_zone(text: str) -> timezone | None:
    m = _ZONE.fullmatch(text.strip())
    if not m or int(m.group(3)) > 59:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3))
    return timezone(timedelta(minutes=-minutes if m.group(1) == "-" else minutes))


def _zone_text(dt: datetime) -> str:
    off = dt.utcoffset() or timedelta(0)
    total = int(off.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    return f"{sign}{abs(total) // 60:02d}{abs(total) % 60:02d}"


def date_part(dt: datetime, part: str) -> str:
    """RFC 5260 4.2: the date part as text."""
    if part == "year":
        return f"{dt.year:04d}"
    if part == "month":
        return f"{dt.month:02d}"
    if part == "day":
        return f"{dt.day:02d}"
    if part == "date":
        return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}"
    if part == "julian":  # Modified Julian Day
        return str((dt.date() - _MJD_EPOCH).days)
    if part == "hour":
        return f"{dt.hour:02d}"
    if part == "minute":
        return f"{dt.minute:02d}"
    if part == "second":
        return f"{dt.second:02d}"
    if part == "time":
        return f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    if part == "iso8601":  # RFC 3339 date-time
        z = _zone_text(dt)
        return f"{date_part(dt, 'date')}T{date_part(dt, 'time')}{z[:3]}:{z[3:]}"
    if part == "std11":  # RFC 2822 date-time
        return (f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
                f"{date_part(dt, 'time')} {_zone_text(dt)}")
    if part == "zone":
        return _zone_text(dt)
    if part == "weekday":  # 0 = Sunday
        return str((dt.weekday() + 1) % 7)
    raise SieveRuntimeError(f"unknown date part {part!r}")


def _header_date(value: str) -> datetime | None:
    # RFC 5260 5: for Received, the date is after the last ";"
    if ";" in value:
        value = value.rsplit(";", 1)[1]
    try:
        dt = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:  # "-0000": unknown zone, treat as UTC
        dt = dt.replace(tzinfo=UTC)
    return dt


def _zone(state: State, call: Call) -> timezone | None:
    text = call.tag(":zone")
    if text is None:
        return None
    zone = parse_zone(state.s(text))
    if zone is None:
        raise SieveRuntimeError(f"invalid :zone {text!r}", call.line)
    return zone


def _local(state: State) -> timezone:
    off = state.msg.now.utcoffset() or timedelta(0)
    return timezone(off)


def run_date(state: State, call: Call) -> bool:
    from .ext_core import indexed

    header, part = state.s(call.args[0]), state.s(call.args[1]).lower()
    zone = _zone(state, call)
    values = []
    for raw in indexed(state.msg.headers(header), call):
        dt = _header_date(raw)
        if dt is None:
            continue  # RFC 5260 5: unparsable dates make the test false
        if not call.tag(":originalzone"):
            dt = dt.astimezone(zone or _local(state))
        values.append(date_part(dt, part))
    return state.match(call, values, state.sl(call.args[2]))


def run_currentdate(state: State, call: Call) -> bool:
    part = state.s(call.args[0]).lower()
    dt = state.msg.now.astimezone(_zone(state, call) or _local(state))
    return state.match(call, [date_part(dt, part)], state.sl(call.args[1]))


def _check_part(index: int):  # type: ignore[no-untyped-def]
    def check(call: Call) -> None:
        part = call.args[index]
        if "${" not in part and part.lower() not in PARTS:
            raise SieveSyntaxError(f"unknown date part {part!r}", call.line)
        zone = call.tag(":zone")
        if zone is not None and "${" not in zone and parse_zone(zone) is None:
            raise SieveSyntaxError(f"invalid time zone {zone!r}", call.line)

    return check


ZONE = {":zone": TagSpec("string", "zone")}

SPECS = (
    Spec("date", "test", run_date, ext=("date",), positional=("string", "string", "strings"),
         tags=tags(m=MATCHING, i=INDEX, z=ZONE, o={":originalzone": TagSpec(None, "zone")}),
         check=_check_part(1)),
    Spec("currentdate", "test", run_currentdate, ext=("date",), positional=("string", "strings"),
         tags=tags(m=MATCHING, z=ZONE), check=_check_part(0)),
)
