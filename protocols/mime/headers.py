"""Header blocks on raw bytes: where they end, their fields, and byte-exact editing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from postvak.protocols.mime.charset import header_str
from postvak.protocols.mime.model import Header

# RFC 5322 2.2 / 3.6.8: field name is printable US-ASCII except ":"; obs-NO-WS-CTL
# allows WSP before the colon (4.5). Continuation lines start with WSP (2.2.3).
_FIELD = re.compile(r"^([!-9;-~]+)[ \t]*:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.M)
_FIELD_START = re.compile(rb"[!-9;-~]+[ \t]*:")
_LINE = re.compile(rb"[^\n]*\n|[^\n]+")


def body_offset(raw: bytes, start: int, end: int) -> int:
    """Offset just past the first empty line in raw[start:end] (CRLF or bare LF), or end."""
    if start >= end:
        return end
    first = raw[start]
    if first == 10:
        return start + 1
    if first == 13 and raw.startswith(b"\r\n", start, end):
        return start + 2
    crlf = raw.find(b"\n\r\n", start, end)
    lf = raw.find(b"\n\n", start, end if crlf < 0 else crlf + 2)
    if lf >= 0 and (crlf < 0 or lf < crlf):
        return lf + 2
    if crlf >= 0:
        return crlf + 3
    return end


def starts_with_field(raw: bytes, start: int, end: int) -> bool:
    """Whether raw[start:] begins with ``name:``; a MIME part without one has no header."""
    return _FIELD_START.match(raw, start, end) is not None


def parse_fields(block: bytes) -> tuple[Header, ...]:
    """Header fields of a block, unfolded; lines that are not fields are skipped."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        # one bad field must not garble the others: fall back line by line
        text = "\n".join(header_str(line) for line in block.split(b"\n"))
    out = []
    for m in _FIELD.finditer(text):
        value = m.group(2)
        if "\n" in value:
            # only continuation lines are inside the match: drop their line breaks
            value = value.replace("\r\n", "").replace("\n", "")
        out.append(Header(m.group(1), value.strip()))
    return tuple(out)


def split_fields(block: bytes) -> list[tuple[str | None, bytes]]:
    """Physical fields as (lower-cased name or None, exact bytes incl. continuations)."""
    out: list[tuple[str | None, bytes]] = []
    for line in _LINE.findall(block):
        if line[:1] in (b" ", b"\t") and out and out[-1][0] is not None:
            name, data = out[-1]
            out[-1] = (name, data + line)
            continue
        colon = line.find(b":")
        name = None
        if colon > 0 and _FIELD_START.match(line):
            name = line[:colon].rstrip(b" \t").decode("ascii").lower()
        out.append((name, line))
    return out


def header_fields(header: bytes, names: Iterable[str], negate: bool = False) -> bytes:
    """RFC 3501 6.4.5 HEADER.FIELDS / HEADER.FIELDS.NOT: the chosen fields, byte-exact,
    followed by the delimiting blank line."""
    wanted = {n.lower() for n in names}
    kept = [data for name, data in split_fields(header) if name is not None and ((name in wanted) != negate)]
    parts = []
    for data in kept:
        parts.append(data if data.endswith(b"\n") else data + b"\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)


def remove_header(raw: bytes, name: str) -> bytes:
    """Drop every occurrence of a field (e.g. Bcc before relaying, RFC 5321 7.2) from the
    top-level header; every other byte stays as it was."""
    end = body_offset(raw, 0, len(raw))
    key = name.lower()
    fields = split_fields(raw[:end])
    kept = [data for fname, data in fields if fname != key]
    if len(kept) == len(fields):
        return raw
    return b"".join(kept) + raw[end:]


def _eol(raw: bytes) -> bytes:
    nl = raw.find(b"\n")
    return b"\n" if nl == 0 or (nl > 0 and raw[nl - 1] != 13) else b"\r\n"


def prepend_headers(raw: bytes, items: Sequence[tuple[str, str]]) -> bytes:
    """Put fields (Received, Return-Path, Authentication-Results...) before the header,
    in the order given, using the message's own line ending. Line breaks inside a value
    become folds so a value can never start a new field."""
    eol = _eol(raw)
    out = []
    for name, value in items:
        lines = [ln for ln in re.split(r"\r?\n|\r", value)]
        folded = lines[0] + "".join(
            eol.decode() + (ln if ln[:1] in (" ", "\t") else " " + ln) for ln in lines[1:] if ln.strip()
        )
        out.append(f"{name}: {folded}".encode() + eol)
    return b"".join(out) + raw


def to_crlf(data: bytes) -> bytes:
    """Bare LF (and lone CR) line ends to CRLF, as IMAP and SMTP require on the wire."""
    if b"\n" not in data and b"\r" not in data:
        return data
    return re.sub(rb"\r\n|\r|\n", b"\r\n", data)
