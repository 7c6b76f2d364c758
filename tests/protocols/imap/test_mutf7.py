"""Modified UTF-7 vectors from RFC 3501 5.1.3 and strictness."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.protocols.imap import EncodingError
from postvak.protocols.imap.mutf7 import decode, decode_name, encode, encode_name

VECTORS = [
    ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),  # RFC 3501 5.1.3
    ("&", "&-"),
    ("Entwürfe", "Entw&APw-rfe"),
    ("A&B", "A&-B"),
    ("😀", "&2D3eAA-"),
    ("", ""),
    ("Sent Items", "Sent Items"),
]


@pytest.mark.parametrize("text,wire", VECTORS)
def test_vectors(text: str, wire: str) -> None:
    assert encode(text) == wire
    assert decode(wire) == text


@pytest.mark.parametrize(
    "wire",
    [
        "&Jjo",  # unterminated
        "&AGE-",  # printable "a" encoded
        "&U,BTFw-&ZeVnLIqe-",  # adjacent runs
        "&AP-",  # truncated / odd octets
        "&APx-",  # non-zero padding bits
        "&2D0-",  # lone high surrogate
        "&Jj*-",  # bad base64 char
        "a\x01b",  # control
        "caf\xe9",  # 8-bit
        "&A-",
    ],
)
def test_strict_rejects(wire: str) -> None:
    with pytest.raises(EncodingError):
        decode(wire)


def test_names_in_both_modes() -> None:
    assert decode_name(b"inbox", False) == "INBOX"
    assert decode_name("Café".encode(), True) == "Café"
    with pytest.raises(EncodingError):
        decode_name(b"\xff", True)
    assert encode_name("Café", False) == b"Caf&AOk-"
    assert encode_name("Café", True) == "Café".encode()


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_round_trip(text: str) -> None:
    wire = encode(text)
    assert wire.isascii()
    assert decode(wire) == text


@given(st.binary(max_size=40))
def test_any_bytes_decode_or_encoding_error(data: bytes) -> None:
    try:
        text = decode(data)
    except EncodingError:
        return
    assert encode(text) == data.decode("ascii")  # accepted input is canonical
