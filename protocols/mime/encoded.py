"""RFC 2047 encoded words in headers, RFC 2045/2231 parameters (Content-Type, -Disposition)."""

from __future__ import annotations

import re

from postvak.protocols.mime.charset import b64decode_lenient, decode_text, header_str, qp_decode

# RFC 2047 2: =?charset?encoding?text?=; RFC 2231 5 allows charset*language.
_EW = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=")


def decode_header(value: str | bytes | None) -> str:
    """Decode RFC 2047 encoded words; raw 8-bit is taken as UTF-8 (RFC 6532) or latin-1.

    Whitespace between adjacent encoded words is dropped (RFC 2047 6.2), and adjacent
    words in one charset are joined before decoding so a multi-byte character split
    across two words survives (common in the wild).
    """
    if value is None:
        return ""
    value = header_str(value) if isinstance(value, bytes) else str(value)
    if "=?" not in value:
        return value
    out: list[str] = []
    pos = 0
    pend_cs: str | None = None
    pend = bytearray()
    for m in _EW.finditer(value):
        between = value[pos : m.start()]
        if pend_cs is None or between.strip(" \t\r\n"):
            if pend_cs is not None:
                out.append(decode_text(bytes(pend), pend_cs))
                pend_cs, pend = None, bytearray()
            out.append(between)
        text = m.group(3).encode("utf-8", "replace")
        data = b64decode_lenient(text) if m.group(2) in "Bb" else qp_decode(text, header=True)
        cs = m.group(1).lower()
        if pend_cs is not None and cs != pend_cs:
            out.append(decode_text(bytes(pend), pend_cs))
            pend = bytearray()
        pend_cs = cs
        pend += data
        pos = m.end()
    if pend_cs is not None:
        out.append(decode_text(bytes(pend), pend_cs))
    out.append(value[pos:])
    return "".join(out)


# RFC 2045 5.1 token characters for type, subtype and attribute names.
_TOKEN = r"[A-Za-z0-9!#$%&'*+.^_`{|}~-]+"
_TYPE = re.compile(rf"\s*({_TOKEN})\s*/\s*({_TOKEN})")
_DISP = re.compile(rf"\s*({_TOKEN})")
_PARAM = re.compile(r'\s*([^\s=;"]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"?|([^;]*))', re.S)
_QP_ESC = re.compile(r"\\(.)", re.S)
_PCT = re.compile(rb"%([0-9A-Fa-f]{2})")


def _unhex(data: bytes) -> bytes:
    return _PCT.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def parse_params(value: str, pos: int = 0) -> dict[str, str]:
    """``; name=value`` pairs from ``pos`` on: names lower-cased, quotes removed,
    RFC 2231 continuations (name*0, name*1*) joined and charset'lang'%XX decoded."""
    simple: dict[str, str] = {}
    ext: dict[str, list[tuple[int, bool, str]]] = {}
    order: list[str] = []
    n = len(value)
    while pos < n:
        semi = value.find(";", pos)
        if semi < 0:
            # text right after the type with no ";" (a common slip): still try it once
            if pos != 0 and value[pos:].strip():
                semi = pos - 1
            else:
                break
        m = _PARAM.match(value, semi + 1)
        if m is None:
            if semi < pos:
                break
            pos = semi + 1
            continue
        pos = m.end()
        name = m.group(1).lower()
        if m.group(2) is not None:
            val = m.group(2)
            if "\\" in val:
                val = _QP_ESC.sub(r"\1", val)
        else:
            val = (m.group(3) or "").strip()
        star = name.find("*")
        if star < 0:
            if name not in simple and name not in ext:
                order.append(name)
            simple.setdefault(name, val)
            continue
        base, rest = name[:star], name[star + 1 :]
        extended = rest.endswith("*") or rest == ""
        idx_text = rest[:-1] if rest.endswith("*") else rest
        if idx_text and not idx_text.isdigit():
            simple.setdefault(name, val)
            order.append(name)
            continue
        idx = int(idx_text) if idx_text and len(idx_text) < 6 else 0
        if base not in simple and base not in ext:
            order.append(base)
        ext.setdefault(base, []).append((idx, extended, val))
    out: dict[str, str] = {}
    for name in order:
        if name in out:
            continue
        if name in ext:
            out[name] = _join_2231(sorted(ext[name], key=lambda s: s[0]))
        elif name in simple:
            out[name] = simple[name]
    return out


def _join_2231(segments: list[tuple[int, bool, str]]) -> str:
    """RFC 2231 3/4: the first extended segment carries charset'language'."""
    charset = None
    data = bytearray()
    for i, (_idx, extended, val) in enumerate(segments):
        if extended:
            if i == 0:
                parts = val.split("'", 2)
                if len(parts) == 3:
                    charset, val = parts[0] or None, parts[2]
            data += _unhex(val.encode("utf-8", "replace"))
        else:
            data += val.encode("utf-8", "replace")
    return decode_text(bytes(data), charset)


def parse_content_type(value: str | None) -> tuple[str, str, dict[str, str]] | None:
    """(type, subtype, params) lower-cased type names, or None if missing/invalid (RFC 2045 5.2)."""
    if not value:
        return None
    m = _TYPE.match(value)
    if m is None:
        return None
    return m.group(1).lower(), m.group(2).lower(), parse_params(value, m.end())


def parse_disposition(value: str | None) -> tuple[str, dict[str, str]] | None:
    """RFC 2183: (type lower-cased, params), or None."""
    if not value:
        return None
    m = _DISP.match(value)
    if m is None:
        return None
    return m.group(1).lower(), parse_params(value, m.end())
