"""RFC 5322 3.3 dates (and the obsolete and asctime forms) into aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from postvak.protocols.mime import parse_date


@pytest.mark.parametrize(
    "value,expected",
    [
        (
            "Fri, 21 Nov 1997 09:55:06 -0600",
            datetime(1997, 11, 21, 9, 55, 6, tzinfo=timezone(timedelta(hours=-6))),
        ),
        ("21 Nov 97 09:55 GMT", datetime(1997, 11, 21, 9, 55, tzinfo=UTC)),
        (
            "Tue,  6 Aug 2002 06:48:17 -0400 (EDT)",
            datetime(2002, 8, 6, 6, 48, 17, tzinfo=timezone(timedelta(hours=-4))),
        ),
        ("Mon, 1 Jan 01 00:00:60 EST", datetime(2001, 1, 1, 0, 0, 59, tzinfo=timezone(timedelta(hours=-5)))),
        ("1 January 2020 10:00:00 +0000", datetime(2020, 1, 1, 10, tzinfo=UTC)),
        ("Mon Jan  2 15:04:05 2006", datetime(2006, 1, 2, 15, 4, 5, tzinfo=UTC)),
        ("31 Feb 2020 10:00 +0000", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_date(value: str, expected: datetime | None) -> None:
    assert parse_date(value) == expected
