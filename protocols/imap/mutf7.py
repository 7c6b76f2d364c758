"""Mailbox names on the wire: modified UTF-7 (RFC 3501 5.1.3) or UTF-8 (RFC 6855 3, RFC 9051 5.1).

Decoding is strict, as RFC 3501 5.1.3 asks: printable ASCII must not be
encoded, base64 runs must not be adjacent, padding bits must be zero, and
UTF-16 surrogates must pair up. A name that fails is refused, never guessed.
"""

from __future__ import annotations

import base64
import binascii

from postvak.protocols.imap.errors import EncodingError

_B64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,")


def _printable(ch: str) -> bool:
    return 0x20 <= ord(ch) <= 0x7E


def encode(name: str) -> str:
    """Unicode -> modified UTF-7."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            raw = "".join(run).encode("utf-16-be", "surrogatepass")
            out.append("&" + base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",") + "-")
            run.clear()

    for ch in name:
        if _printable(ch):
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def decode(wire: str | bytes) -> str:
    """Modified UTF-7 -> Unicode; raises ``EncodingError`` on anything not canonical."""
    data = wire.encode("latin-1") if isinstance(wire, str) else wire
    out: list[str] = []
    i, n = 0, len(data)
    last_was_encoded = False
    while i < n:
        c = data[i]
        if not 0x20 <= c <= 0x7E:
            raise EncodingError("mailbox name has a non-printable or 8-bit octet")
        if c != 0x26:  # "&"
            out.append(chr(c))
            i += 1
            last_was_encoded = False
            continue
        end = data.find(b"-", i + 1)
        if end < 0:
            raise EncodingError("unterminated &... sequence in mailbox name")
        chunk = data[i + 1 : end]
        i = end + 1
        if not chunk:
            out.append("&")
            last_was_encoded = False
            continue
        if last_was_encoded:
            raise EncodingError("adjacent encoded runs in mailbox name")
        out.append(_decode_run(chunk))
        last_was_encoded = True
    return "".join(out)


def _decode_run(chunk: bytes) -> str:
    if any(b not in _B64 for b in chunk):
        raise EncodingError("bad character in modified base64")
    if len(chunk) % 4 == 1:
        raise EncodingError("truncated modified base64")
    std = chunk.replace(b",", b"/")
    try:
        raw = base64.b64decode(std + b"=" * (-len(std) % 4), validate=True)
    except binascii.Error as exc:
        raise EncodingError("bad modified base64") from exc
    # Padding bits must be zero: re-encoding must give back the same run.
    if base64.b64encode(raw).rstrip(b"=") != std:
        raise EncodingError("non-zero padding bits in modified base64")
    if len(raw) % 2:
        raise EncodingError("odd number of octets in UTF-16 run")
    try:
        text = raw.decode("utf-16-be")
    except UnicodeDecodeError as exc:
        raise EncodingError("unpaired surrogate in UTF-16 run") from exc
    if any(_printable(ch) for ch in text):
        raise EncodingError("printable ASCII must not be base64-encoded")
    return text


def decode_name(wire: bytes, utf8: bool) -> str:
    """A mailbox name as sent by the client, in the connection's mode; "INBOX" is case-insensitive."""
    if utf8:
        try:
            name = wire.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EncodingError("mailbox name is not UTF-8") from exc
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
            raise EncodingError("control character in mailbox name")
    else:
        name = decode(wire)
    # RFC 9051 5.1: INBOX is case-insensitive, other names are not.
    return "INBOX" if name.upper() == "INBOX" else name


def encode_name(name: str, utf8: bool) -> bytes:
    """A Unicode mailbox name for the wire, in the connection's mode."""
    return name.encode("utf-8") if utf8 else encode(name).encode("ascii")
