"""BODY[section] on the example structure of RFC 3501 6.4.5, and transfer decoding."""

from __future__ import annotations

import pytest

from postvak.protocols.mime import MimeError, decode_part, find_part, parse_message, section_bytes

# RFC 3501 6.4.5's example: each leaf's body names its own section number.
EXAMPLE = b"""From: top@example.com\r
Subject: example\r
Content-Type: MULTIPART/MIXED; boundary="x"\r
\r
--x\r
Content-Type: TEXT/PLAIN\r
\r
part 1\r
--x\r
Content-Type: APPLICATION/OCTET-STREAM\r
\r
part 2\r
--x\r
Content-Type: MESSAGE/RFC822\r
\r
From: three@example.com\r
Subject: three\r
Content-Type: MULTIPART/MIXED; boundary="y"\r
\r
--y\r
Content-Type: TEXT/PLAIN\r
\r
part 3.1\r
--y\r
Content-Type: APPLICATION/OCTET-STREAM\r
\r
part 3.2\r
--y--\r
--x\r
Content-Type: MULTIPART/MIXED; boundary="z"\r
\r
--z\r
Content-Type: IMAGE/GIF\r
\r
part 4.1\r
--z\r
Content-Type: MESSAGE/RFC822\r
\r
From: four-two@example.com\r
Subject: four two\r
Content-Type: MULTIPART/MIXED; boundary="w"\r
\r
--w\r
Content-Type: TEXT/PLAIN\r
\r
part 4.2.1\r
--w\r
Content-Type: MULTIPART/ALTERNATIVE; boundary="v"\r
\r
--v\r
Content-Type: TEXT/PLAIN\r
\r
part 4.2.2.1\r
--v\r
Content-Type: TEXT/RICHTEXT\r
\r
part 4.2.2.2\r
--v--\r
--w--\r
--z--\r
--x--\r
"""

P = parse_message(EXAMPLE)


def sec(section: tuple[int, ...], part: str | None = None, *fields: str, negate: bool = False) -> bytes:
    return section_bytes(EXAMPLE, P.body, section, part, fields, negate)


@pytest.mark.parametrize(
    "section,mime",
    [
        ((1,), "text/plain"),
        ((2,), "application/octet-stream"),
        ((3,), "message/rfc822"),
        ((3, 1), "text/plain"),
        ((3, 2), "application/octet-stream"),
        ((4,), "multipart/mixed"),
        ((4, 1), "image/gif"),
        ((4, 2), "message/rfc822"),
        ((4, 2, 1), "text/plain"),
        ((4, 2, 2), "multipart/alternative"),
        ((4, 2, 2, 1), "text/plain"),
        ((4, 2, 2, 2), "text/richtext"),
    ],
)
def test_part_numbering(section: tuple[int, ...], mime: str) -> None:
    part = find_part(P.body, section)
    assert part is not None and part.mime_type == mime


@pytest.mark.parametrize(
    "section", [(1,), (2,), (3, 1), (3, 2), (4, 1), (4, 2, 1), (4, 2, 2, 1), (4, 2, 2, 2)]
)
def test_leaf_bodies(section: tuple[int, ...]) -> None:
    assert sec(section) == b"part " + ".".join(map(str, section)).encode()


def test_header_and_text_of_messages() -> None:
    assert sec((), "HEADER").startswith(b"From: top@example.com\r\n") and sec((), "HEADER").endswith(
        b'"x"\r\n\r\n'
    )
    assert sec(()) == EXAMPLE
    assert sec((), "TEXT").startswith(b"--x\r\n") and sec((), "TEXT").endswith(b"--x--\r\n")
    assert sec((3,), "HEADER").startswith(b"From: three@example.com\r\n")
    assert sec((3,), "TEXT").startswith(b"--y\r\n") and sec((3,), "TEXT").endswith(b"--y--")
    assert sec((4, 2), "HEADER").startswith(b"From: four-two@example.com")
    assert sec((4, 2), "TEXT").endswith(b"--w--")
    # BODY[3] is the whole embedded message
    assert sec((3,)).startswith(b"From: three@example.com") and sec((3,)).endswith(b"--y--")


def test_mime_headers() -> None:
    assert sec((4, 1), "MIME") == b"Content-Type: IMAGE/GIF\r\n\r\n"
    assert sec((3,), "MIME") == b"Content-Type: MESSAGE/RFC822\r\n\r\n"
    assert sec((), "MIME") == b""


def test_header_fields() -> None:
    assert sec((), "HEADER.FIELDS", "subject", "FROM") == b"From: top@example.com\r\nSubject: example\r\n\r\n"
    assert (
        sec((), "HEADER.FIELDS.NOT", "subject", "from")
        == b'Content-Type: MULTIPART/MIXED; boundary="x"\r\n\r\n'
    )
    assert sec((4, 2), "HEADER.FIELDS", "subject") == b"Subject: four two\r\n\r\n"
    assert sec((), "HEADER.FIELDS", "x-none") == b"\r\n"


def test_missing_parts_are_empty() -> None:
    for section in ((5,), (1, 1), (4, 3), (0,), (2, 1), (4, 2, 2, 3)):
        assert sec(section) == b""
    assert sec((1,), "HEADER") == b""  # not a message/rfc822 part
    assert sec((1,), "TEXT") == b""


def test_single_part_message_has_only_part_one() -> None:
    raw = b"Subject: s\r\n\r\nonly body\r\n"
    p = parse_message(raw)
    assert section_bytes(raw, p.body, (1,)) == b"only body\r\n"
    assert section_bytes(raw, p.body, (2,)) == b""
    assert section_bytes(raw, p.body, (1, 1)) == b""


def test_top_level_message_rfc822() -> None:
    raw = b"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body"
    p = parse_message(raw)
    assert section_bytes(raw, p.body, (1,)) == b"Subject: inner\r\n\r\ninner body"
    assert section_bytes(raw, p.body, (1,), "HEADER") == b"Subject: inner\r\n\r\n"
    assert section_bytes(raw, p.body, (1, 1)) == b"inner body"


def test_decode_part() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8g\r\nd29y bGQ=\r\n"
        b"--b\r\nContent-Transfer-Encoding: Quoted-Printable\r\n\r\ncaf=C3=A9=\r\n au lait=3D\r\n"
        b"--b\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nzzz\r\n"
        b"--b\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\xc3\xa9\r\n"
        b"--b--\r\n"
    )
    p = parse_message(raw)
    b64, qp, unknown, eight = p.body.children
    assert decode_part(raw, b64) == b"hello world"
    assert decode_part(raw, qp) == "café au lait=".encode()
    assert decode_part(raw, eight) == b"\xc3\xa9"
    with pytest.raises(MimeError):
        decode_part(raw, unknown)


def test_numbered_parts_is_the_inverse_of_find_part() -> None:
    from postvak.protocols.mime import numbered_parts

    numbers = [s for s, _ in numbered_parts(P.body)]
    assert numbers == [
        (1,), (2,), (3,), (3, 1), (3, 2), (4,), (4, 1), (4, 2), (4, 2, 1), (4, 2, 2), (4, 2, 2, 1), (4, 2, 2, 2),
    ]  # fmt: skip
    for sec, part in numbered_parts(P.body):
        assert find_part(P.body, sec) is part
    single = parse_message(b"Content-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\nbody")
    assert [s for s, _ in numbered_parts(single.body)] == [(1,), (1, 1)]
