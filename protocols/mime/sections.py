"""IMAP BODY[section] (RFC 3501 6.4.5 / RFC 9051 6.4.5) and content transfer decoding."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from postvak.protocols.mime.charset import b64decode_lenient, qp_decode
from postvak.protocols.mime.errors import MimeError
from postvak.protocols.mime.headers import header_fields
from postvak.protocols.mime.model import BodyPart


def find_part(body: BodyPart, section: Sequence[int]) -> BodyPart | None:
    """The part a section number names, or None.

    RFC 3501 6.4.5: a non-multipart message has only part 1; parts of a multipart
    are numbered from 1; the parts of a message/rfc822 part are those of its
    embedded message's body (so "3.1" is inside message part 3).
    """
    cur = body
    entered = True  # at the top part of a message (the top-level one to begin with)
    for n in section:
        if n < 1:
            return None
        if not entered and cur.message is not None:
            cur, entered = cur.message, True
        if cur.is_multipart and cur.children:
            if n > len(cur.children):
                return None
            cur, entered = cur.children[n - 1], False
        elif entered and n == 1:
            entered = False
        else:
            return None
    return cur


def numbered_parts(body: BodyPart) -> Iterator[tuple[tuple[int, ...], BodyPart]]:
    """Every part with its section number, in order (the inverse of ``find_part``):
    IMAP part numbers, also usable as ActiveSync attachment file references."""
    return _number(body, (), True)


def _number(
    part: BodyPart, sec: tuple[int, ...], entered: bool
) -> Iterator[tuple[tuple[int, ...], BodyPart]]:
    if part.is_multipart and part.children:
        for i, child in enumerate(part.children, 1):
            yield sec + (i,), child
            yield from _number(child, sec + (i,), False)
    elif entered:
        yield sec + (1,), part
        if part.message is not None:
            yield from _number(part.message, sec + (1,), True)
    elif part.message is not None:
        yield from _number(part.message, sec, True)


def section_bytes(
    raw: bytes,
    body: BodyPart,
    section: Sequence[int],
    part: str | None = None,
    fields: Sequence[str] = (),
    negate: bool = False,
) -> bytes:
    """Bytes of BODY[section.part]; b"" for a part that does not exist.

    ``part`` is None, "HEADER", "TEXT", "MIME", "HEADER.FIELDS" or "HEADER.FIELDS.NOT"
    (``fields`` names the fields; ``negate`` also selects .NOT).
    """
    spec = (part or "").upper()
    if spec == "HEADER.FIELDS.NOT":
        spec, negate = "HEADER.FIELDS", True
    if not section:
        if spec == "MIME":
            return b""  # RFC 3501 6.4.5: MIME needs a part number
        msg = body
    else:
        target = find_part(body, section)
        if target is None:
            return b""
        if not spec:
            return raw[target.body_start : target.end]
        if spec == "MIME":
            return raw[target.header_start : target.body_start]
        # HEADER/TEXT of a part are those of the message it encapsulates.
        if target.message is None:
            return b""
        msg = target.message
    if not spec:
        return raw[msg.header_start : msg.end]
    if spec == "HEADER":
        return raw[msg.header_start : msg.body_start]
    if spec == "TEXT":
        return raw[msg.body_start : msg.end]
    if spec == "HEADER.FIELDS":
        return header_fields(raw[msg.header_start : msg.body_start], fields, negate)
    return b""


def decode_body(data: bytes, encoding: str) -> bytes:
    """Undo a Content-Transfer-Encoding (RFC 2045 6); MimeError for unknown ones."""
    enc = encoding.strip().lower()
    if enc in ("7bit", "8bit", "binary", ""):
        return data
    if enc == "base64":
        return b64decode_lenient(data)
    if enc == "quoted-printable":
        return qp_decode(data)
    raise MimeError(f"unknown content transfer encoding {encoding!r}")


def decode_part(raw: bytes, part: BodyPart) -> bytes:
    """The decoded body of a part (IMAP BINARY, ActiveSync attachments)."""
    return decode_body(raw[part.body_start : part.end], part.encoding)
