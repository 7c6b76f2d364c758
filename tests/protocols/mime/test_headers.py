"""Header blocks: where they end, unfolding, HEADER.FIELDS, and byte-exact editing."""

from __future__ import annotations

from postvak.protocols.mime import (
    body_offset,
    header_fields,
    parse_fields,
    parse_message,
    prepend_headers,
    remove_header,
    to_crlf,
)

RAW = (
    b"Received: from a\r\n\tby b; Tue, 1 Jul 2003 10:52:37 +0200\r\n"
    b"From: a@example.com\r\n"
    b"Bcc: secret@example.com,\r\n other@example.com\r\n"
    b"To: b@example.com\r\n"
    b"BCC: again@example.com\r\n"
    b"\r\n"
    b"Bcc: this is body text\r\n"
)


def test_body_offset() -> None:
    assert RAW[body_offset(RAW, 0, len(RAW)) :] == b"Bcc: this is body text\r\n"
    assert body_offset(b"\r\nbody", 0, 6) == 2
    assert body_offset(b"\nbody", 0, 5) == 1
    assert body_offset(b"A: b\n\nbody", 0, 10) == 6
    assert body_offset(b"A: b\r\n", 0, 6) == 6
    # mixed endings: the first empty line wins, whichever form it has
    assert body_offset(b"A: b\n\r\nX: y\n\nz", 0, 14) == 7


def test_parse_fields_unfolds() -> None:
    fields = parse_fields(RAW[: body_offset(RAW, 0, len(RAW))])
    assert [h.name for h in fields] == ["Received", "From", "Bcc", "To", "BCC"]
    assert fields[0].value == "from a\tby b; Tue, 1 Jul 2003 10:52:37 +0200"
    assert fields[2].value == "secret@example.com, other@example.com"


def test_non_field_lines_are_skipped() -> None:
    raw = b"From sender@x Tue Aug  6 11:52:20 2002\nSubject: s\nnot a header\nX-A : spaced\n\nbody"
    p = parse_message(raw)
    assert [(h.name, h.value) for h in p.headers] == [("Subject", "s"), ("X-A", "spaced")]
    assert p.header("x-a") == "spaced" and p.header_all("subject") == ("s",)


def test_remove_header_keeps_every_other_byte() -> None:
    out = remove_header(RAW, "bcc")
    assert out == (
        b"Received: from a\r\n\tby b; Tue, 1 Jul 2003 10:52:37 +0200\r\n"
        b"From: a@example.com\r\n"
        b"To: b@example.com\r\n"
        b"\r\n"
        b"Bcc: this is body text\r\n"
    )
    assert remove_header(RAW, "x-absent") is RAW


def test_prepend_headers() -> None:
    out = prepend_headers(b"A: b\r\n\r\nx", [("Return-Path", "<s@x>"), ("Received", "from h\nby me")])
    assert out == b"Return-Path: <s@x>\r\nReceived: from h\r\n by me\r\nA: b\r\n\r\nx"
    assert prepend_headers(b"A: b\n\nx", [("X", "1")]) == b"X: 1\nA: b\n\nx"
    # a value cannot inject a new field
    injected = prepend_headers(b"A: b\r\n\r\n", [("X", "1\r\nBcc: evil@x")])
    assert parse_message(injected).header("bcc") is None


def test_header_fields_keeps_folding_and_adds_blank_line() -> None:
    block = RAW[: body_offset(RAW, 0, len(RAW))]
    assert (
        header_fields(block, ["received"])
        == b"Received: from a\r\n\tby b; Tue, 1 Jul 2003 10:52:37 +0200\r\n\r\n"
    )
    assert header_fields(block, ["bcc", "to"], negate=True) == (
        b"Received: from a\r\n\tby b; Tue, 1 Jul 2003 10:52:37 +0200\r\nFrom: a@example.com\r\n\r\n"
    )
    assert header_fields(b"A: 1", ["a"]) == b"A: 1\r\n\r\n"


def test_to_crlf() -> None:
    assert to_crlf(b"a\nb\r\nc\rd") == b"a\r\nb\r\nc\r\nd"
    assert to_crlf(b"abc") == b"abc"


def test_one_latin1_field_does_not_garble_utf8_fields() -> None:
    p = parse_message("Subject: café\r\nX-Old: caf".encode() + b"\xe9\r\n\r\n")
    assert p.subject == "café" and p.header("x-old") == "café"
