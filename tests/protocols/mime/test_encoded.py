"""RFC 2047 encoded words, RFC 2231 parameters, charsets and dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from postvak.protocols.mime import decode_header, decode_text, parse_content_type, parse_date, parse_params


@pytest.mark.parametrize(
    "value,text",
    [
        ("plain", "plain"),
        ("=?utf-8?q?caf=C3=A9?=", "café"),
        ("=?UTF-8?B?Y2Fmw6k=?=", "café"),
        ("=?iso-8859-1?q?a_b?= c", "a b c"),
        ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab"),  # RFC 2047 6.2: space between words dropped
        ("=?utf-8?q?a?=  x  =?utf-8?q?b?=", "a  x  b"),
        ("=?utf-8?b?w6k=?==?utf-8?b?w6k=?=", "éé"),
        ("=?utf-8?q?=C3?= =?utf-8?q?=A9?=", "é"),  # a character split across two words
        ("=?utf-8*en?q?hi?=", "hi"),  # RFC 2231 5 language suffix
        ("=?x-nonsense?q?caf=E9?=", "café"),  # unknown charset: latin-1 fallback
        ("=?base64?q?abc?=", "abc"),  # a bytes transform is not a charset
        ("=?utf-8?q?broken", "=?utf-8?q?broken"),
        ("=?utf-8?b?!!!?=", ""),
        (b"caf\xc3\xa9", "café"),
        (b"caf\xe9", "café"),
        (None, ""),
    ],
)
def test_decode_header(value: str | bytes | None, text: str) -> None:
    assert decode_header(value) == text


def test_content_type_and_params() -> None:
    assert parse_content_type('Text/HTML; Charset="UTF-8"; format=flowed') == (
        "text",
        "html",
        {"charset": "UTF-8", "format": "flowed"},
    )
    assert parse_content_type("TEXT/PLAIN charset=US-ASCII") == ("text", "plain", {"charset": "US-ASCII"})
    assert parse_content_type("text") is None and parse_content_type("") is None
    assert parse_content_type('multipart/mixed; boundary="a;b\\"c"') == (
        "multipart",
        "mixed",
        {"boundary": 'a;b"c'},
    )


def test_rfc2231() -> None:
    # RFC 2231 3 and 4: continuations, charset and language, percent encoding
    assert parse_params("; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A") == {
        "title": "This is ***fun***"
    }
    assert parse_params('; URL*0="ftp://";  URL*1="cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"') == {
        "url": "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"
    }
    assert parse_params(
        "; title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*0*=us-ascii'en'This%20is%20even%20more%20; title*2=\"isn't it!\""
    ) == {"title": "This is even more ***fun*** isn't it!"}
    assert parse_params("; filename=\"a.txt\"; filename*=utf-8''%C3%A9.txt") == {"filename": "é.txt"}
    assert parse_params("; filename*=iso-8859-1''%E9.txt") == {"filename": "é.txt"}


def test_decode_text() -> None:
    assert decode_text(b"caf\xc3\xa9", "us-ascii") == "café"
    assert decode_text(b"caf\xe9", "us-ascii") == "café"
    assert decode_text("中文".encode("gb18030"), "gb2312") == "中文"
    assert decode_text(b"\xff", "utf-8") == "\xff"
    assert decode_text(b"abc", "zlib") == "abc"


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
