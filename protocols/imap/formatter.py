"""Server responses as bytes (RFC 9051 7, RFC 3501 7).

Strings go out quoted when they can (short, no CR/LF/NUL, 8-bit only in UTF-8
mode) and as literals otherwise; binary content with NULs goes as literal8
(RFC 3516 4.2). FETCH responses are produced as an iterator of chunks so a
large body can be streamed from disk (``LiteralStream``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from postvak.protocols.imap.codes import Code
from postvak.protocols.imap.errors import ProtocolError
from postvak.protocols.imap.mutf7 import encode_name
from postvak.protocols.imap.seqset import compact

CRLF = b"\r\n"
QUOTED_MAX = 1024  # longer strings go as literals: easier on clients' line buffers
_ATOM_SAFE = re.compile(rb"[^\x00-\x20\x7f-\xff(){%*\"\\\]]+\Z")
_ASTRING_SAFE = re.compile(rb"[^\x00-\x20\x7f-\xff(){%*\"\\]+\Z")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _b(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


# --- strings --------------------------------------------------------------------------
def can_quote(data: bytes, utf8: bool = True) -> bool:
    if len(data) > QUOTED_MAX or b"\r" in data or b"\n" in data or b"\x00" in data:
        return False
    if not utf8 and any(b >= 0x80 for b in data):
        return False
    return True


def quoted(value: bytes | str) -> bytes:
    data = _b(value)
    if b"\r" in data or b"\n" in data or b"\x00" in data:
        raise ProtocolError("CR, LF and NUL cannot be quoted")
    return b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def literal(value: bytes | str, binary: bool = False) -> bytes:
    data = _b(value)
    return (b"~{" if binary else b"{") + str(len(data)).encode() + b"}\r\n" + data


def string(value: bytes | str, utf8: bool = True) -> bytes:
    """Quoted if possible, else a literal (literal8 if it holds a NUL)."""
    data = _b(value)
    if can_quote(data, utf8):
        return quoted(data)
    return literal(data, binary=b"\x00" in data)


def nstring(value: bytes | str | None, utf8: bool = True) -> bytes:
    return b"NIL" if value is None else string(value, utf8)


def astring(value: bytes | str, utf8: bool = True) -> bytes:
    data = _b(value)
    if _ASTRING_SAFE.match(data) and data.upper() != b"NIL":
        return data
    return string(data, utf8)


def mailbox(name: str, utf8: bool = False) -> bytes:
    return astring(encode_name(name, utf8), utf8)


def flag_list(flags: Iterable[str]) -> bytes:
    out = []
    for flag in flags:
        data = flag.encode("ascii")
        core = data[1:] if data.startswith(b"\\") else data
        if not (_ATOM_SAFE.match(core) or data == b"\\*"):
            raise ProtocolError(f"not a flag: {flag!r}")
        out.append(data)
    return b"(" + b" ".join(out) + b")"


def date_time(value: datetime) -> bytes:
    """RFC 9051 9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz" (day space-padded)."""
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    text = f"{value.day:2d}-{_MONTHS[value.month - 1]}-{value.year:04d} {value:%H:%M:%S} {zone}"
    return b'"' + text.encode("ascii") + b'"'


# --- whole responses -----------------------------------------------------------------
def _text(text: str) -> bytes:
    # Response text is one line; a CR/LF from an error message must not split the response.
    return text.replace("\r", " ").replace("\n", " ").encode("utf-8")


def tagged(tag: str, status: str, text: str, code: Code | None = None) -> bytes:
    """``a1 OK [code] text`` for status OK, NO or BAD."""
    head = tag.encode("ascii") + b" " + status.encode("ascii") + b" "
    return head + (code.render() + b" " if code else b"") + _text(text) + CRLF


def untagged(status: str, text: str = "", code: Code | None = None) -> bytes:
    """``* OK|NO|BAD|BYE|PREAUTH [code] text``."""
    parts = [b"*", status.encode("ascii")]
    if code:
        parts.append(code.render())
    if text:
        parts.append(_text(text))
    return b" ".join(parts) + CRLF


def data(*parts: bytes | str) -> bytes:
    """``* <parts joined by SP>`` for untagged data responses."""
    return b"* " + b" ".join(_b(p) for p in parts) + CRLF


def continuation(text: str | bytes = "Ready") -> bytes:
    """``+ text``; for SASL the text is the base64 challenge (may be empty: "+ ")."""
    return b"+ " + (text if isinstance(text, bytes) else _text(text)) + CRLF


def capability(caps: Iterable[str]) -> bytes:
    return data("CAPABILITY", " ".join(caps))


def enabled(caps: Iterable[str]) -> bytes:
    return data(" ".join(["ENABLED", *caps]))


def exists(n: int) -> bytes:
    return data(str(n), "EXISTS")


def recent(n: int) -> bytes:
    return data(str(n), "RECENT")


def expunge(seq: int) -> bytes:
    return data(str(seq), "EXPUNGE")


def flags(flag_names: Iterable[str]) -> bytes:
    return data(b"FLAGS", flag_list(flag_names))


def vanished(uids: Iterable[int], earlier: bool = False) -> bytes:
    """RFC 7162 3.2.10: ``* VANISHED [(EARLIER)] uid-set``."""
    return data("VANISHED (EARLIER)" if earlier else "VANISHED", compact(uids))


def list_response(
    attributes: Iterable[str],
    delimiter: str | None,
    name: str,
    utf8: bool = False,
    extended: Sequence[bytes] = (),
    kind: str = "LIST",
) -> bytes:
    """``* LIST (\\HasNoChildren) "/" INBOX``; ``extended`` items already formatted (e.g. CHILDINFO)."""
    delim = b"NIL" if delimiter is None else quoted(delimiter)
    parts = [kind.encode(), flag_list(attributes), delim, mailbox(name, utf8)]
    if extended:
        parts.append(b"(" + b" ".join(extended) + b")")
    return data(*parts)


def status_response(name: str, items: Sequence[tuple[str, int]], utf8: bool = False) -> bytes:
    body = " ".join(f"{k} {v}" for k, v in items).encode()
    return data(b"STATUS", mailbox(name, utf8), b"(" + body + b")")


def search_response(numbers: Iterable[int], modseq: int | None = None) -> bytes:
    text = " ".join(["SEARCH", *map(str, numbers)])
    if modseq is not None:
        text += f" (MODSEQ {modseq})"  # RFC 7162 3.1.5
    return data(text)


def sort_response(numbers: Iterable[int]) -> bytes:
    return data(" ".join(["SORT", *(str(n) for n in numbers)]))


def esearch_response(
    tag: str | None,
    uid: bool,
    *,
    min: int | None = None,
    max: int | None = None,
    all: Iterable[int] | None = None,
    count: int | None = None,
    modseq: int | None = None,
) -> bytes:
    """RFC 4731 3.1: ``* ESEARCH (TAG "a1") UID MIN 1 MAX 9 ALL 1:3,9 COUNT 4``; empty results omit ALL/MIN/MAX."""
    parts = ["ESEARCH"]
    if tag is not None:
        parts.append(f"(TAG {quoted(tag).decode()})")
    if uid:
        parts.append("UID")
    if min is not None:
        parts.append(f"MIN {min}")
    if max is not None:
        parts.append(f"MAX {max}")
    if all is not None:
        text = compact(all)
        if text:
            parts.append(f"ALL {text}")
    if count is not None:
        parts.append(f"COUNT {count}")
    if modseq is not None:
        parts.append(f"MODSEQ {modseq}")
    return data(" ".join(parts))


@dataclass(frozen=True)
class ThreadNode:
    """One message in a thread tree; ``number`` None is a missing parent (RFC 5256 4)."""

    number: int | None
    children: tuple[ThreadNode, ...] = ()


def thread_response(roots: Iterable[ThreadNode]) -> bytes:
    """RFC 5256 4: ``* THREAD (2)(3 6 (4 23)(44 7 96))``."""
    text = "".join("(" + _thread(r) + ")" for r in roots)
    return data(f"THREAD {text}" if text else "THREAD")


def _thread(node: ThreadNode) -> str:
    chain: list[str] = []
    while node.number is not None:
        chain.append(str(node.number))
        if len(node.children) != 1:
            break
        node = node.children[0]
    subs = "".join("(" + _thread(c) + ")" for c in node.children)
    if not chain:
        return subs
    return " ".join(chain) + (" " + subs if subs else "")


def namespace_response(
    personal: Sequence[tuple[str, str | None]] | None,
    other: Sequence[tuple[str, str | None]] | None = None,
    shared: Sequence[tuple[str, str | None]] | None = None,
    utf8: bool = False,
) -> bytes:
    """RFC 2342 5: each namespace is a list of (prefix, delimiter) or None."""

    def one(ns: Sequence[tuple[str, str | None]] | None) -> bytes:
        if not ns:
            return b"NIL"
        items = (
            b"(" + string(encode_name(p, utf8), utf8) + b" " + (b"NIL" if d is None else quoted(d)) + b")"
            for p, d in ns
        )
        return b"(" + b"".join(items) + b")"

    return data(b"NAMESPACE", one(personal), one(other), one(shared))


def id_response(params: Sequence[tuple[str, str | None]] | None) -> bytes:
    if not params:
        return data("ID NIL")
    return data(b"ID", b"(" + b" ".join(string(k) + b" " + nstring(v) for k, v in params) + b")")


def quota_response(root: str, resources: Sequence[tuple[str, int, int]]) -> bytes:
    """RFC 9208 5.1: ``* QUOTA root (STORAGE used limit ...)``; STORAGE in KiB."""
    body = " ".join(f"{name} {used} {limit}" for name, used, limit in resources)
    return data(b"QUOTA", astring(root), b"(" + body.encode() + b")")


def quotaroot_response(name: str, roots: Iterable[str], utf8: bool = False) -> bytes:
    return data(b"QUOTAROOT", mailbox(name, utf8), *(astring(r) for r in roots))


def metadata_response(name: str, entries: Sequence[tuple[str, bytes | None]], utf8: bool = False) -> bytes:
    """RFC 5464 4.4.1; ``name`` "" is the server."""
    body = b" ".join(astring(k) + b" " + nstring(v) for k, v in entries)
    return data(b"METADATA", b'""' if not name else mailbox(name, utf8), b"(" + body + b")")


# --- FETCH ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LiteralStream:
    """A literal whose ``size`` octets the caller streams (e.g. from a blob file) in ``chunks``."""

    size: int
    chunks: Iterable[bytes] = field(repr=False)
    binary: bool = False


FetchValue = bytes | LiteralStream


def fetch_response_parts(seq: int, items: Iterable[tuple[str, FetchValue]]) -> Iterator[bytes]:
    """``* seq FETCH (NAME value ...)`` as chunks; a ``LiteralStream`` is passed through unjoined.

    Values are wire-formatted (use ``string``, ``flag_list``, ``envelope`` ...). A stream
    yielding more or fewer than ``size`` octets raises ``ProtocolError`` (the caller must
    then drop the connection: the client would misparse everything after it).
    """
    head = f"* {seq} FETCH (".encode()
    first = True
    for name, value in items:
        sep = b"" if first else b" "
        first = False
        if isinstance(value, LiteralStream):
            yield head + sep + name.encode("ascii") + (b" ~{" if value.binary else b" {")
            yield str(value.size).encode() + b"}\r\n"
            head = b""
            sent = 0
            for chunk in value.chunks:
                sent += len(chunk)
                if sent > value.size:
                    raise ProtocolError("literal stream longer than announced")
                yield chunk
            if sent != value.size:
                raise ProtocolError("literal stream shorter than announced")
        else:
            head += sep + name.encode("ascii") + b" " + value
    yield head + b")\r\n"


def fetch_response(seq: int, items: Iterable[tuple[str, FetchValue]]) -> bytes:
    return b"".join(fetch_response_parts(seq, items))
