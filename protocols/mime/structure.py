"""The MIME tree (RFC 2045, RFC 2046 5.1) with byte offsets, built without copying bodies."""

from __future__ import annotations

from postvak.protocols.mime.encoded import parse_content_type, parse_disposition
from postvak.protocols.mime.envelope import build_envelope
from postvak.protocols.mime.headers import body_offset, parse_fields, starts_with_field
from postvak.protocols.mime.model import BodyPart, Header

# Limits against hostile input: deeper or further parts are kept opaque.
MAX_DEPTH = 50
MAX_PARTS = 1000

_CONTENT = frozenset(
    (
        "content-type",
        "content-transfer-encoding",
        "content-id",
        "content-description",
        "content-disposition",
        "content-language",
        "content-location",
        "content-md5",
    )
)
_PLAIN_DEFAULT = {"charset": "us-ascii"}
_IDENTITY = frozenset(("7BIT", "8BIT", "BINARY", ""))


class _Budget:
    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts = 0


def _line_count(raw: bytes, start: int, end: int) -> int:
    if end <= start:
        return 0
    n = raw.count(b"\n", start, end)
    return n if raw[end - 1] == 10 else n + 1


def split_multipart(raw: bytes, start: int, end: int, boundary: bytes, limit: int) -> list[tuple[int, int]]:
    """Body part spans between delimiter lines (RFC 2046 5.1.1).

    The line break before a delimiter belongs to the delimiter. A delimiter line must
    be ``--boundary`` plus only whitespace (so a longer inner boundary does not match);
    a close delimiter ``--boundary--`` may carry junk. A missing close delimiter ends
    the last part at the end of the enclosing body.
    """
    delim = b"--" + boundary
    dlen = len(delim)
    spans: list[tuple[int, int]] = []
    cur: int | None = None
    pos = start
    while len(spans) < limit:
        i = raw.find(delim, pos, end)
        if i < 0:
            break
        if i != start and raw[i - 1] != 10:
            pos = i + 1
            continue
        j = i + dlen
        close = raw.startswith(b"--", j, end)
        nl = raw.find(b"\n", j, end)
        line_end = end if nl < 0 else nl + 1
        if not close and raw[j:line_end].strip():
            pos = j
            continue
        if cur is not None:
            pe = i
            if pe > cur and raw[pe - 1] == 10:
                pe -= 1
                if pe > cur and raw[pe - 1] == 13:
                    pe -= 1
            spans.append((cur, pe))
        if close:
            cur = None
            break
        cur = line_end
        pos = line_end
    if cur is not None and len(spans) < limit:
        spans.append((cur, end))
    return spans


def _content_fields(headers: tuple[Header, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for h in headers:
        key = h.name.lower()
        if key in _CONTENT and key not in found:
            found[key] = h.value
    return found


def build_part(
    raw: bytes,
    header_start: int,
    body_start: int,
    end: int,
    headers: tuple[Header, ...],
    depth: int,
    budget: _Budget,
    digest: bool = False,
) -> BodyPart:
    """One part and everything below it; ``headers`` are this part's parsed fields."""
    budget.parts += 1
    f = _content_fields(headers)
    ct = parse_content_type(f.get("content-type"))
    if ct is None:
        # RFC 2046 5.1.5: parts of multipart/digest default to message/rfc822;
        # RFC 2045 5.2: otherwise (and for invalid values) text/plain; charset=us-ascii.
        if digest:
            ctype, sub, params = "message", "rfc822", {}
        else:
            ctype, sub, params = "text", "plain", dict(_PLAIN_DEFAULT)
    else:
        ctype, sub, params = ct
    encoding = (f.get("content-transfer-encoding") or "7BIT").strip().upper() or "7BIT"
    lang = f.get("content-language")
    language = tuple(t for t in (x.strip() for x in lang.split(",")) if t) if lang else None
    children: tuple[BodyPart, ...] = ()
    envelope = message = None
    room = depth < MAX_DEPTH and budget.parts < MAX_PARTS
    if ctype == "multipart":
        boundary = params.get("boundary", "").encode("utf-8", "replace")
        if not boundary or not room:
            # RFC 2046 5.1.1 needs a boundary; without one (or past the limits) the
            # body is opaque data, since IMAP cannot show a multipart with no parts.
            ctype, sub = "application", "octet-stream"
        else:
            spans = split_multipart(raw, body_start, end, boundary, MAX_PARTS - budget.parts)
            if not spans:
                spans = [(body_start, end)]
            kids = []
            for ps, pe in spans:
                if budget.parts >= MAX_PARTS:
                    break
                pb = body_offset(raw, ps, pe) if starts_with_field(raw, ps, pe) else ps
                if pb == ps and raw.startswith(b"\n", ps, pe):
                    pb = ps + 1
                elif pb == ps and raw.startswith(b"\r\n", ps, pe):
                    pb = ps + 2
                hdrs = parse_fields(raw[ps:pb]) if pb > ps else ()
                kids.append(build_part(raw, ps, pb, pe, hdrs, depth + 1, budget, sub == "digest"))
            children = tuple(kids)
    elif ctype == "message" and sub in ("rfc822", "global") and encoding in _IDENTITY and room:
        # RFC 2046 5.2.1: only identity encodings; an encoded one stays opaque.
        eb = body_offset(raw, body_start, end)
        ehdrs = parse_fields(raw[body_start:eb])
        envelope = build_envelope(ehdrs)
        message = build_part(raw, body_start, eb, end, ehdrs, depth + 1, budget)
    is_msg = ctype == "message" and sub in ("rfc822", "global")
    lines = _line_count(raw, body_start, end) if ctype == "text" or is_msg else None
    return BodyPart(
        type=ctype,
        subtype=sub,
        params=params,
        id=f.get("content-id"),
        description=f.get("content-description"),
        encoding=encoding,
        size=end - body_start,
        lines=lines,
        md5=f.get("content-md5"),
        disposition=parse_disposition(f.get("content-disposition")),
        language=language,
        location=f.get("content-location"),
        header_start=header_start,
        body_start=body_start,
        end=end,
        children=children,
        envelope=envelope,
        message=message,
    )


__all__ = ["MAX_DEPTH", "MAX_PARTS", "build_part", "split_multipart"]
