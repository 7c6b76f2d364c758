"""parse_message: raw bytes to a ParsedMessage in one pass over the header and the MIME tree."""

from __future__ import annotations

from postvak.protocols.mime.addresses import addr_specs
from postvak.protocols.mime.dates import parse_date
from postvak.protocols.mime.encoded import decode_header
from postvak.protocols.mime.envelope import build_envelope, msg_ids
from postvak.protocols.mime.errors import MimeError
from postvak.protocols.mime.headers import body_offset, parse_fields
from postvak.protocols.mime.model import ParsedMessage
from postvak.protocols.mime.structure import _Budget, build_part
from postvak.protocols.mime.subject import base_subject
from postvak.protocols.mime.text import preview


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse a whole message (CRLF or bare LF). Any bytes give a ParsedMessage;
    only non-bytes input (or an internal failure, kept as a safety net) raises MimeError."""
    if not isinstance(raw, bytes):
        if isinstance(raw, (bytearray, memoryview)):
            raw = bytes(raw)
        else:
            raise MimeError(f"message must be bytes, not {type(raw).__name__}")
    try:
        return _parse(raw)
    except MimeError:
        raise
    except (Exception, RecursionError) as exc:  # a bug must not take down ingest
        raise MimeError(f"cannot parse message: {exc.__class__.__name__}: {exc}") from exc


def _parse(raw: bytes) -> ParsedMessage:
    end = len(raw)
    body_start = body_offset(raw, 0, end)
    headers = parse_fields(raw[:body_start])
    body = build_part(raw, 0, body_start, end, headers, 0, _Budget())
    env = build_envelope(headers)
    subject = decode_header(env.subject) if env.subject else ""
    base, is_reply = base_subject(subject)
    refs = msg_ids(_first(headers, "references"))
    ids = msg_ids(env.message_id)
    return ParsedMessage(
        headers=headers,
        envelope=env,
        body=body,
        message_id=ids[0] if ids else None,
        in_reply_to=msg_ids(env.in_reply_to),
        references=refs,
        base_subject=base,
        sent_date=parse_date(env.date),
        from_addr=addr_specs(env.from_),
        to_addrs=addr_specs(env.to),
        cc_addrs=addr_specs(env.cc),
        subject=subject,
        preview=preview(raw, body),
        is_reply=is_reply,
    )


def _first(headers: tuple, name: str) -> str | None:
    for h in headers:
        if h.name.lower() == name:
            return h.value
    return None
