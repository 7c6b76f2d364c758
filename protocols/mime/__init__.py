"""Message parsing shared by every layer (sans-IO, pure functions).

    parsed = parse_message(raw)              # never raises for bytes input
    parsed.envelope, parsed.body             # IMAP ENVELOPE / BODYSTRUCTURE data with offsets
    section_bytes(raw, parsed.body, (3, 1), "MIME")
    decode_part(raw, part)                   # MimeError on an unknown transfer encoding
    search_text(raw, parsed)                 # text for the full-text index
    parsed.body.to_json() / BodyPart.from_json(d)   # cache in the database

Results are frozen dataclasses from ``model``; offsets index the exact bytes given,
so callers that rewrite line endings must parse the rewritten bytes.

RFC status: 5322 (headers, addresses incl. obsolete forms, dates) supported;
2045/2046 (MIME tree, multipart, digest defaults) supported; 2047 encoded words and
2231 parameters supported; 6532 UTF-8 headers supported (8-bit falls back to
latin-1); 3501 7.4.2 / 9051 7.5.2 ENVELOPE and BODYSTRUCTURE data, 6.4.5 sections
supported; 5256 2.1 base subject supported; 8970 preview supported (200 chars).
Partial: uuencode and binhex bodies are left as they are; Content-MD5 is reported,
never checked.
"""

from postvak.protocols.mime.addresses import addr_specs, format_address, format_addresses, parse_addresses
from postvak.protocols.mime.charset import decode_text
from postvak.protocols.mime.dates import parse_date
from postvak.protocols.mime.encoded import decode_header, parse_content_type, parse_disposition, parse_params
from postvak.protocols.mime.envelope import build_envelope, msg_ids
from postvak.protocols.mime.errors import MimeError
from postvak.protocols.mime.headers import (
    body_offset,
    header_fields,
    parse_fields,
    prepend_headers,
    remove_header,
    split_fields,
    to_crlf,
)
from postvak.protocols.mime.model import Address, BodyPart, Envelope, Header, ParsedMessage
from postvak.protocols.mime.parser import parse_message
from postvak.protocols.mime.sections import decode_body, decode_part, find_part, numbered_parts, section_bytes
from postvak.protocols.mime.structure import MAX_DEPTH, MAX_PARTS
from postvak.protocols.mime.subject import base_subject
from postvak.protocols.mime.text import html_to_text, part_text, preview, search_text, text_parts

__all__ = [
    "MAX_DEPTH",
    "MAX_PARTS",
    "Address",
    "BodyPart",
    "Envelope",
    "Header",
    "MimeError",
    "ParsedMessage",
    "addr_specs",
    "base_subject",
    "body_offset",
    "build_envelope",
    "decode_body",
    "decode_header",
    "decode_part",
    "decode_text",
    "find_part",
    "format_address",
    "format_addresses",
    "header_fields",
    "html_to_text",
    "msg_ids",
    "numbered_parts",
    "parse_addresses",
    "parse_content_type",
    "parse_date",
    "parse_disposition",
    "parse_fields",
    "parse_message",
    "parse_params",
    "part_text",
    "prepend_headers",
    "preview",
    "remove_header",
    "search_text",
    "section_bytes",
    "split_fields",
    "text_parts",
    "to_crlf",
]
