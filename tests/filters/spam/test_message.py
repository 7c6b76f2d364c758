"""message.parse: how much of a long text part is scanned, and how its cut end decodes."""

from __future__ import annotations

import email
import email.message
from email.policy import compat32

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.filters.spam.message import MAX_PART_CHARS, MAX_TEXT_CHARS, _message_from_bytes, parse


def _plain(body: bytes, charset: str = "utf-8") -> bytes:
    return (b"From: a@example.org\r\nSubject: long\r\nContent-Type: text/plain; charset=" + charset.encode()
            + b"\r\n\r\n" + body)


def _alternative(plain: bytes, html: bytes) -> bytes:
    return (b'From: a@example.org\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n'
            b"--b\r\nContent-Type: text/plain\r\n\r\n" + plain
            + b"\r\n--b\r\nContent-Type: text/html\r\n\r\n" + html + b"\r\n--b--\r\n")


def test_a_text_part_is_scanned_up_to_the_part_cap_only() -> None:
    msg = parse(_plain(b"a" * (MAX_PART_CHARS - 1) + b" tailmarker"))
    assert len(msg.text) == MAX_PART_CHARS
    assert "tailmarker" not in msg.text


def test_a_multibyte_character_split_by_the_cap_is_dropped_not_mojibake() -> None:
    # "é" is two bytes in UTF-8: with an odd-length prefix the cap falls inside one.
    body = b"x" + "é".encode() * MAX_PART_CHARS
    msg = parse(_plain(body))
    assert msg.text == "x" + "é" * ((MAX_PART_CHARS - 1) // 2)


def test_an_uncut_invalid_part_still_falls_back_to_latin_1() -> None:
    assert parse(_plain(b"caf\xe9 ok")).text == "café ok"


def test_text_and_html_alternatives_are_both_scanned_at_full_part_size() -> None:
    assert MAX_TEXT_CHARS >= 2 * MAX_PART_CHARS
    msg = parse(_alternative(b"p" * MAX_PART_CHARS, b"<p>" + b"h" * 100 + b" htmlword</p>"))
    assert "htmlword" in msg.html_text


# Header blocks where the parser reads the bytes otherwise than "headers, empty line, body":
# lone CRs, a non-header line, a first line that continues nothing, a nested message, bytes
# that are not ASCII, no body, no empty line, LF and mixed line ends, a multipart type.
_READ_OTHERWISE = [
    b"Subject: x\r\r\nbody", b"Subject: x\n\nbody\n", b" cont\r\nSubject: y\r\n\r\nbody",
    b"Subject: a\r\nnot a header line\r\n\r\nbody", b"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\nhi",
    b"Subject: \xff\xfe\r\n\r\n\xe9t\xe9 \x80", b"\r\n\r\nbody only", b"no blank line at all", b"Subject: x\r\n\r\n",
    b"Subject: x\r\nX-A: 1\n\r\nbody\r\n\r\nmore", b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n",
    b"Content-Type: text/html\r\nSubject: folded\r\n  value\r\n\r\n<p>hi</p>", b"Subject:\r\n\r\n\r\n\r\nbody",
    b"From: a@b\r\n>From nobody\r\n\r\nbody", b"Content-Type: MESSAGE/delivery-status\r\n\r\nReporting-MTA: x\r\n\r\nA: b",
]


def _as_parsed(msg: email.message.Message) -> tuple[object, ...]:
    parts = [_as_parsed(p) for p in msg.get_payload()] if msg.is_multipart() else msg.get_payload()
    return msg.items(), parts, [type(d) for d in msg.defects], msg.get_unixfrom(), msg.preamble, msg.epilogue


@pytest.mark.parametrize("raw", _READ_OTHERWISE)
def test_the_header_only_parse_is_the_parsers_message(raw: bytes) -> None:
    assert _as_parsed(_message_from_bytes(raw)) == _as_parsed(email.message_from_bytes(raw, policy=compat32))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"Subject: s", b"Content-Type: text/plain", b"Content-Type: message/rfc822",
                                 b"X-A:", b" folded", b"no colon", b"From x", b"", b"\xe9", b"Content-Type: multipart/x"]),
                max_size=6),
       st.sampled_from([b"\r\n", b"\n", b"\r"]), st.binary(max_size=40))
def test_any_header_block_parses_as_the_parser_does(lines: list[bytes], end: bytes, body: bytes) -> None:
    raw = end.join(lines) + end + end + body
    assert _as_parsed(_message_from_bytes(raw)) == _as_parsed(email.message_from_bytes(raw, policy=compat32))
