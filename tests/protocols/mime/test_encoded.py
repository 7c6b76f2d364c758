"""RFC 2047 encoded words and RFC 2045/2231 parameters."""

from __future__ import annotations

import pytest

from postvak.protocols.mime import decode_header, parse_content_type, parse_disposition, parse_params


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


def test_disposition_and_encoded_filename() -> None:
    assert parse_disposition('Attachment; FileName="=?utf-8?q?r=C3=A9sum=C3=A9.pdf?="; size=12') == (
        "attachment",
        {"filename": "=?utf-8?q?r=C3=A9sum=C3=A9.pdf?=", "size": "12"},
    )
    assert parse_disposition("") is None and parse_disposition(";;") is None
