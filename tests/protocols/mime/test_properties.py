"""Hypothesis: any bytes parse (never another exception) and the results hang together."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from postvak.protocols.mime import (
    BodyPart,
    Envelope,
    MimeError,
    ParsedMessage,
    decode_part,
    find_part,
    numbered_parts,
    parse_addresses,
    parse_message,
    remove_header,
    search_text,
    section_bytes,
)

# Fragments that steer random input into MIME territory.
_PIECES = [
    b"\r\n",
    b"\n",
    b"\r",
    b" ",
    b"\t",
    b":",
    b";",
    b'"',
    b"--b",
    b"--b--",
    b"--c",
    b"From: ",
    b"To: a@b, G: c@d;",
    b"Subject: =?utf-8?q?x=C3=A9?= Re: [x] ",
    b"Content-Type: multipart/mixed; boundary=b",
    b"Content-Type: multipart/digest; boundary=c",
    b"Content-Type: message/rfc822",
    b"Content-Type: text/html; charset*0*=utf-8''%C3; charset*1=x",
    b"Content-Transfer-Encoding: base64",
    b"Content-Transfer-Encoding: quoted-printable",
    b'Content-Disposition: attachment; filename="a',
    b"Date: 31 Feb 2020 25:61:61 +9999",
    b"<a@b>",
    b"(c(d)",
    b"=?",
    b"\xff\xfe\xc3",
    b"<html><script>",
]
messages = st.one_of(
    st.binary(max_size=600),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.binary(max_size=8)), max_size=60).map(b"".join),
)


def _check_offsets(raw: bytes, part: BodyPart) -> None:
    assert 0 <= part.header_start <= part.body_start <= part.end <= len(raw)
    assert part.size == part.end - part.body_start
    for child in part.children:
        assert part.body_start <= child.header_start and child.end <= part.end
        _check_offsets(raw, child)
    if part.message is not None:
        assert part.message.header_start == part.body_start
        _check_offsets(raw, part.message)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_any_bytes_parse(raw: bytes) -> None:
    p = parse_message(raw)
    assert isinstance(p, ParsedMessage)
    _check_offsets(raw, p.body)
    assert BodyPart.from_json(json.loads(json.dumps(p.body.to_json()))) == p.body
    assert Envelope.from_json(json.loads(json.dumps(p.envelope.to_json()))) == p.envelope
    assert isinstance(search_text(raw, p), str)
    assert len(p.preview) <= 200
    for sec in ((), (1,), (1, 1), (2, 1, 3)):
        for spec in (None, "HEADER", "TEXT", "MIME", "HEADER.FIELDS"):
            assert isinstance(section_bytes(raw, p.body, sec, spec, ("subject",)), bytes)
    for sec, part in numbered_parts(p.body):
        assert find_part(p.body, sec) is part
    for part in p.body.walk():
        try:
            assert isinstance(decode_part(raw, part), bytes)
        except MimeError:
            pass
    assert isinstance(remove_header(raw, "to"), bytes)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_address_text_parses(value: str) -> None:
    addrs = parse_addresses(value)
    # the fast path and the tokenizer agree (bytes always take the tokenizer)
    assert addrs == parse_addresses(value.encode())
    for a in addrs:
        assert a.host is not None or a.name is None


def test_non_bytes_is_mime_error() -> None:
    try:
        parse_message("text")  # type: ignore[arg-type]
    except MimeError:
        return
    raise AssertionError("expected MimeError")
