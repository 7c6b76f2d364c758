"""Bytes to text: charset lookup with forgiving fallbacks, and transfer decoding."""

from __future__ import annotations

import binascii
import codecs
import re
from functools import lru_cache

# Labels mail software writes that Python does not know, or where a superset
# decodes what senders actually produce (WHATWG encoding practice).
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "windows-874": "cp874",
    "tis-620": "cp874",
    "iso-8859-8-i": "iso-8859-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-user-defined": "cp1252",
    # us-ascii mail very often carries UTF-8 anyway; UTF-8 is a superset.
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
}


@lru_cache(maxsize=256)
def codec_name(charset: str | None) -> str | None:
    """Python codec for a MIME charset label, or None if unknown or not a text codec."""
    if not charset:
        return None
    label = charset.strip().strip('"').strip().lower()
    label = _ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    # codecs also knows bytes-to-bytes transforms (base64, zlib...): never decode with those.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_text(data: bytes, charset: str | None, partial: bool = False) -> str:
    """Decode body or header bytes; unknown charsets try UTF-8 and fall back to latin-1.

    ``partial``: the bytes are a prefix cut anywhere, so a character cut at the end is
    dropped instead of sending the whole text to the latin-1 fallback.
    """
    name = codec_name(charset)
    if name is None or name == "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if partial and exc.start >= len(data) - 3:
                try:
                    return data[: exc.start].decode("utf-8")
                except UnicodeDecodeError:
                    pass
            return data.decode("latin-1")
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        return data.decode(name, "replace")
    except Exception:  # some codecs (utf-7, idna) raise other errors on junk
        return data.decode("latin-1")


def header_str(data: bytes) -> str:
    """8-bit header bytes: UTF-8 (RFC 6532), else latin-1 so every byte survives."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]+")


def b64decode_lenient(data: bytes) -> bytes:
    """Base64 that ignores line breaks, junk and missing padding (RFC 2045 6.8 says ignore)."""
    data = _B64_JUNK.sub(b"", data)
    rem = len(data) % 4
    if rem == 1:
        data = data[:-1]
    elif rem:
        data += b"=" * (4 - rem)
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        return b""


def qp_decode(data: bytes, header: bool = False) -> bytes:
    """Quoted-printable (RFC 2045 6.7); in headers "_" is a space (RFC 2047 4.2)."""
    try:
        return binascii.a2b_qp(data, header=header)
    except (binascii.Error, ValueError):
        return data
