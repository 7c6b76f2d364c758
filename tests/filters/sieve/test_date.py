"""RFC 5260 date, currentdate and index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from postvak.filters.sieve import FileInto, Redirect, Vacation
from postvak.filters.sieve.ext_date import date_part


def test_rfc5260_working_hours_original_zone(run) -> None:
    script = '''require ["date", "relational", "fileinto"];
if allof(header :is "from" "boss@example.com",
         date :value "ge" :originalzone "date" "hour" "09",
         date :value "lt" :originalzone "date" "hour" "17")
{ fileinto "urgent"; }'''
    h = {"From": "boss@example.com", "Date": "Tue, 1 Apr 1997 09:06:31 -0800"}
    assert run(script, h).actions == (FileInto("urgent"),)
    h["Date"] = "Tue, 1 Apr 1997 18:06:31 -0800"
    assert run(script, h).actions == ()


def test_rfc5260_weekend_from_received(run) -> None:
    script = '''require ["date", "relational", "fileinto"];
if anyof(date :is "received" "weekday" "0", date :is "received" "weekday" "6")
{ fileinto "weekend"; }'''
    sunday = {"Received": "from a by b; Sun, 1 Jul 2007 10:00:00 +0000"}
    assert run(script, sunday, env=None).actions == (FileInto("weekend"),)
    monday = {"Received": "from a by b; Mon, 2 Jul 2007 10:00:00 +0000"}
    assert run(script, monday).actions == ()


def test_rfc5260_currentdate_vacation_window(run) -> None:
    script = '''require ["date", "relational", "vacation"];
if allof(currentdate :value "ge" "date" "2007-06-30",
         currentdate :value "le" "date" "2007-07-07")
{ vacation :days 7  "I'm away during the first week in July."; }'''
    plan = run(script)  # now = 2007-07-01 in conftest
    assert len(plan.actions) == 1 and isinstance(plan.actions[0], Vacation)
    later = datetime(2007, 7, 8, 12, tzinfo=UTC)
    assert run(script, now=later).actions == ()


def test_rfc5260_index_and_zone(run) -> None:
    script = '''require ["date", "relational", "index"];
if date :value "gt" :index 2 :zone "-0500" "received" "iso8601" "2007-02-26T09:00:00-05:00"
{ redirect "aftercutoff@example.org"; }'''
    h = [("Received", "from a by b; Mon, 26 Feb 2007 17:00:00 +0000"),
         ("Received", "from c by d; Mon, 26 Feb 2007 16:00:00 +0000")]
    assert run(script, h).actions == (Redirect("aftercutoff@example.org"),)
    h[1] = ("Received", "from c by d; Mon, 26 Feb 2007 13:00:00 +0000")
    assert run(script, h).actions == ()
    last = 'require ["date", "index"]; if date :index 1 :last :zone "+0000" "received" "hour" "13" { discard; }'
    assert run(last, h).actions != ()


def test_date_variables(run) -> None:
    script = '''require ["date", "variables", "fileinto"];
if currentdate :zone "+0200" :matches "date" "*" { set "date" "${1}"; }
if currentdate :zone "+0200" :matches "time" "*" { set "time" "${1}"; }
fileinto "${date} ${time}";'''
    assert run(script).actions == (FileInto("2007-07-01 14:00:00"),)


@pytest.mark.parametrize(
    "part, expected",
    [
        ("year", "2000"), ("month", "01"), ("day", "01"), ("date", "2000-01-01"),
        ("julian", "51544"), ("hour", "08"), ("minute", "05"), ("second", "09"),
        ("time", "08:05:09"), ("iso8601", "2000-01-01T08:05:09-05:00"),
        ("std11", "Sat, 01 Jan 2000 08:05:09 -0500"), ("zone", "-0500"), ("weekday", "6"),
    ],
)
def test_date_parts(part, expected) -> None:
    dt = datetime(2000, 1, 1, 8, 5, 9, tzinfo=timezone(timedelta(hours=-5)))
    assert date_part(dt, part) == expected


def test_unparsable_date_is_false(run) -> None:
    script = 'require "date"; if date :is "date" "year" "1997" { discard; }'
    assert run(script).actions != ()
    assert run(script, {"Date": "yesterday-ish"}).actions == ()
