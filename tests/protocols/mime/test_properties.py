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


_field_names = st.sampled_from(["From", "To", "Bcc", "BCC", "Subject", "X-A", "Received"])
_values = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_field_names, _values, st.booleans()), max_size=12),
    st.sampled_from([b"\r\n", b"\n"]),
    st.binary(max_size=40),
)
def test_remove_header_and_header_fields(
    fields: list[tuple[str, str, bool]], eol: bytes, body: bytes
) -> None:
    from postvak.protocols.mime import body_offset, header_fields

    lines = []
    for name, value, folded in fields:
        line = f"{name}: {value}".encode()
        lines.append(line + (eol + b" more" if folded else b"") + eol)
    raw = b"".join(lines) + eol + body
    out = remove_header(raw, "bcc")
    kept = b"".join(line for line, (name, _, _) in zip(lines, fields, strict=True) if name.lower() != "bcc")
    assert out == kept + eol + body
    head = raw[: body_offset(raw, 0, len(raw))]
    chosen = header_fields(head, ["to", "subject"])
    others = header_fields(head, ["to", "subject"], negate=True)
    # the two selections partition the fields, byte-exact, each plus the blank line
    assert chosen.endswith(b"\r\n") and others.endswith(b"\r\n")
    assert len(chosen) + len(others) - 4 == len(b"".join(lines))
    assert all(
        line in chosen
        for line, (n, _, _) in zip(lines, fields, strict=True)
        if n.lower() in ("to", "subject")
    )


_atom = st.text(st.sampled_from("abcXYZ019!#$%&'*+/=?^_`{|}~-"), min_size=1, max_size=8)
_name = st.one_of(
    st.none(), st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=20)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_name, _atom, st.lists(_atom, min_size=1, max_size=3)), min_size=1, max_size=4))
def test_format_then_parse_round_trips(items: list[tuple[str | None, str, list[str]]]) -> None:
    from postvak.protocols.mime import Address, format_addresses

    addrs = []
    for name, local, labels in items:
        clean = " ".join(name.split()) if name else None
        addrs.append(Address(clean or None, None, local, ".".join(labels)))
    assert parse_addresses(format_addresses(tuple(addrs))) == tuple(addrs)
