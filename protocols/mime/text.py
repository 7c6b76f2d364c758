"""Readable text of a message: the search index text and the RFC 8970 preview."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from postvak.protocols.mime.addresses import addr_specs
from postvak.protocols.mime.charset import decode_text
from postvak.protocols.mime.encoded import decode_header
from postvak.protocols.mime.errors import MimeError
from postvak.protocols.mime.model import BodyPart, Envelope, ParsedMessage
from postvak.protocols.mime.sections import decode_body

PREVIEW_CHARS = 200  # RFC 8970 3.1 caps previews at 256 characters
_PREVIEW_SLICE = 2048  # raw bytes looked at for a plain preview (HTML takes 4x)
_PREVIEW_MAX_SLICE = 1 << 18

_HIDDEN = re.compile(r"<(script|style|head|title)\b.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)", re.I | re.S)
_BLOCK = re.compile(r"<(?:br|p|div|tr|li|h\d|/p|/div|/tr|/li|/h\d|/td|td)\b[^<>]*>", re.I)
_TAG = re.compile(r"<[!/?A-Za-z][^>]*>?")


def html_to_text(markup: str) -> str:
    """A small tag-stripping pass: hidden elements dropped, block tags become line breaks,
    entities decoded. Good enough for indexing and previews, not for display."""
    text = _HIDDEN.sub(" ", markup)
    text = _BLOCK.sub("\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text)


def part_text(raw: bytes, part: BodyPart, limit: int | None = None) -> str:
    """Transfer- and charset-decoded text of a leaf part; HTML stripped.

    ``limit`` decodes only a prefix of the raw body (previews). An unknown transfer
    encoding yields the raw bytes as text rather than nothing.
    """
    end = part.end if limit is None else min(part.end, part.body_start + limit)
    data = raw[part.body_start : end]
    try:
        data = decode_body(data, part.encoding)
    except MimeError:
        pass
    text = decode_text(data, part.charset, partial=end < part.end)
    if part.subtype == "html":
        text = html_to_text(text)
    return text


def text_parts(body: BodyPart) -> Iterator[BodyPart]:
    """Every text/plain and text/html leaf, embedded messages included."""
    for p in body.walk():
        if p.type == "text" and p.subtype in ("plain", "html") and not p.children:
            yield p


def _first_readable(body: BodyPart) -> BodyPart | None:
    """The part a reader sees first: plain text preferred within alternatives, no
    attachments, not inside embedded messages."""
    if body.is_multipart:
        kids = [c for c in body.children if not (c.disposition and c.disposition[0] == "attachment")]
        if body.subtype == "alternative":
            found = [p for p in (_first_readable(c) for c in kids) if p is not None]
            plain = [p for p in found if p.subtype == "plain"]
            return (plain or found or [None])[0]
        for c in kids:
            p = _first_readable(c)
            if p is not None:
                return p
        return None
    if body.type == "text" and body.subtype in ("plain", "html"):
        if body.disposition and body.disposition[0] == "attachment":
            return None
        return body
    return None


def _collapsed_prefix(text: str) -> str:
    """The text single-spaced, as far as a preview needs; the window doubles, so a body
    of mostly whitespace costs linear time. A word cut at the window's edge lies past
    the preview length, so it never shows."""
    size = 1024
    while True:
        out = " ".join(text[:size].split())
        if len(out) > PREVIEW_CHARS + 1 or size >= len(text):
            return out
        size *= 2


def preview(raw: bytes, body: BodyPart) -> str:
    """RFC 8970 PREVIEW: the start of the first readable text, whitespace collapsed."""
    part = _first_readable(body)
    if part is None:
        return ""
    limit = _PREVIEW_SLICE * (4 if part.subtype == "html" else 1)
    while True:
        out = _collapsed_prefix(part_text(raw, part, limit))
        # a body that starts with pages of blank space or markup: look further, bounded
        if out or part.body_start + limit >= part.end or limit >= _PREVIEW_MAX_SLICE:
            break
        limit *= 8
    return out[:PREVIEW_CHARS].rstrip()


def _envelope_words(env: Envelope) -> list[str]:
    out = []
    seen: list[tuple] = []
    for addrs in (env.from_, env.sender, env.reply_to, env.to, env.cc, env.bcc):
        if addrs in seen:
            continue
        seen.append(addrs)
        for a in addrs:
            if a.name:
                out.append(decode_header(a.name))
        specs = addr_specs(addrs)
        if specs:
            out.append(specs.replace(",", " "))
    return out


def search_text(raw: bytes, parsed: ParsedMessage) -> str:
    """Text for the full-text index: subject, names and addresses, every text part."""
    out = [parsed.subject]
    out.extend(_envelope_words(parsed.envelope))
    for part in text_parts(parsed.body):
        out.append(part_text(raw, part))
    for part in parsed.body.walk():
        name = part.filename
        if name:
            out.append(name)
        if part.envelope is not None:
            out.append(decode_header(part.envelope.subject))
            out.extend(_envelope_words(part.envelope))
    return "\n".join(s for s in out if s)
