"""Dot-stuffing stream encoder: exact bytes, every chunk boundary, Hypothesis."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.protocols.pop3 import DotStuffer, UnstuffError, stuff, top_lines, unstuff


def normalise(raw: bytes) -> bytes:
    """What un-stuffing must give back: bare LF -> CRLF, final CRLF added."""
    out = re.sub(rb"(?<!\r)\n", b"\r\n", raw)
    if out and not out.endswith(b"\r\n"):
        out += b"\n" if out.endswith(b"\r") else b"\r\n"
    return out


def chunked(raw: bytes, cuts: list[int]) -> bytes:
    stuffer = DotStuffer()
    out = bytearray()
    prev = 0
    for cut in sorted(set(cuts)) + [len(raw)]:
        out += stuffer.feed(raw[prev:cut])
        prev = cut
    return bytes(out + stuffer.finish())


@pytest.mark.parametrize(
    ("raw", "wire"),
    [
        (b"", b".\r\n"),
        (b"a", b"a\r\n.\r\n"),
        (b"a\r\n", b"a\r\n.\r\n"),
        (b"a\n", b"a\r\n.\r\n"),
        (b".", b"..\r\n.\r\n"),
        (b".\r\n", b"..\r\n.\r\n"),
        (b"a\r\n.\r\nb", b"a\r\n..\r\nb\r\n.\r\n"),
        (b"a\n.\nb\n", b"a\r\n..\r\nb\r\n.\r\n"),
        (b"..x\r\n", b"...x\r\n.\r\n"),
        (b"x.y\r\n", b"x.y\r\n.\r\n"),
        (b"a\r", b"a\r\n.\r\n"),
        (b"a\rb\r\n", b"a\rb\r\n.\r\n"),  # lone CR is not a line end for the client
        (b"\n\n", b"\r\n\r\n.\r\n"),
    ],
)
def test_exact_bytes(raw: bytes, wire: bytes) -> None:
    assert stuff(raw) == wire


SAMPLE = b"From: a\r\n\r\n.line\n..two\r\n.\r\nend\r\r\n.\n."


def test_every_single_and_double_split_point() -> None:
    expected = stuff(SAMPLE)
    for i in range(len(SAMPLE) + 1):
        assert chunked(SAMPLE, [i]) == expected, i
        for j in range(i, len(SAMPLE) + 1):
            assert chunked(SAMPLE, [i, j]) == expected, (i, j)


def test_byte_by_byte() -> None:
    assert chunked(SAMPLE, list(range(len(SAMPLE)))) == stuff(SAMPLE)


def test_finish_twice_refused() -> None:
    stuffer = DotStuffer()
    stuffer.finish()
    with pytest.raises(RuntimeError):
        stuffer.finish()
    with pytest.raises(RuntimeError):
        stuffer.feed(b"x")


def test_unstuff_needs_terminator() -> None:
    with pytest.raises(UnstuffError):
        unstuff(b"abc\r\n")


messages = st.lists(
    st.sampled_from([b".", b"\r", b"\n", b"\r\n", b"a", b"..", b"\n.\n", b"\r\n.\r\n", b"x y"]), max_size=30
).map(b"".join) | st.binary(max_size=200)


@given(messages, st.lists(st.integers(min_value=0, max_value=300), max_size=10))
def test_any_split_roundtrips(raw: bytes, cuts: list[int]) -> None:
    wire = chunked(raw, [c for c in cuts if c <= len(raw)])
    assert wire == stuff(raw)
    assert unstuff(wire) == normalise(raw)
    # no bare LF, and the terminator appears only at the very end
    assert re.search(rb"(?<!\r)\n", wire) is None
    assert wire.find(b"\r\n.\r\n") in (-1, len(wire) - 5)
    assert wire.endswith(b".\r\n")


MSG = b"Subject: hi\r\nFrom: a@b\r\n\r\nline1\r\nline2\r\nline3\r\n"


def test_top_lines() -> None:
    assert top_lines(MSG, 0) == b"Subject: hi\r\nFrom: a@b\r\n\r\n"
    assert top_lines(MSG, 2) == b"Subject: hi\r\nFrom: a@b\r\n\r\nline1\r\nline2\r\n"
    assert top_lines(MSG, 3) == MSG
    assert top_lines(MSG, 100) == MSG
    assert top_lines(b"Subject: x\r\n", 5) == b"Subject: x\r\n"
    assert top_lines(b"A: b\n\nx\ny\n", 1) == b"A: b\n\nx\n"
    assert top_lines(b"A: b\r\n\r\nno newline at end", 3) == b"A: b\r\n\r\nno newline at end"
