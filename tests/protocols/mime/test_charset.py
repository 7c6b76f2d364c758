"""Charset decoding with fallbacks, and lenient transfer decoding."""

from __future__ import annotations

from postvak.protocols.mime.charset import b64decode_lenient, codec_name, decode_text, header_str, qp_decode


def test_decode_text() -> None:
    assert decode_text(b"caf\xc3\xa9", "us-ascii") == "café"
    assert decode_text(b"caf\xe9", "us-ascii") == "café"
    assert decode_text("中文".encode("gb18030"), "gb2312") == "中文"
    assert decode_text(b"\xff", "utf-8") == "\xff"
    assert decode_text(b"abc", "zlib") == "abc"


def test_codec_names() -> None:
    assert codec_name("UTF-8") == "utf-8" and codec_name('"iso-8859-1"') == "iso8859-1"
    assert codec_name("ks_c_5601-1987") == "cp949"
    assert codec_name("hex") is None and codec_name("no-such") is None and codec_name(None) is None


def test_header_str() -> None:
    assert header_str("é".encode()) == "é" and header_str(b"\xe9") == "é"


def test_lenient_transfer_decoding() -> None:
    assert b64decode_lenient(b"aGVs\r\nbG8*") == b"hello"
    assert b64decode_lenient(b"aGVsbG8") == b"hello"  # missing padding
    assert b64decode_lenient(b"a") == b""
    assert qp_decode(b"a=3Db=\r\nc") == b"a=bc"
    assert qp_decode(b"a_b", header=True) == b"a b"
