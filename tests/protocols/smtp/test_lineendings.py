"""Bare CR/LF and SMTP smuggling detection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.protocols.smtp import LineEndingProblem, check_line_endings


def test_clean_data() -> None:
    assert check_line_endings(b"") is None
    assert check_line_endings(b"Subject: x\r\n\r\nbody\r\n.\r\nmore\r\n") is None


@pytest.mark.parametrize(
    ("data", "kind", "offset"),
    [
        (b"a\r\n\n.\nMAIL FROM:<x>\r\n", "smuggling", 3),
        (b"a\n.\r\nRCPT", "smuggling", 1),
        (b"a\r\n.\nx", "smuggling", 1),
        (b"a\r.\r\nx", "smuggling", 1),
        (b"a\r\n.\rx", "smuggling", 1),
        (b".\nfoo", "smuggling", 0),
        (b"line one\nline two\r\n", "bare LF", 8),
        (b"line one\rline two\r\n", "bare CR", 8),
        (b"x\r\r\n", "bare CR", 1),
        (b"end\r", "bare CR", 3),
    ],
)
def test_problems(data: bytes, kind: str, offset: int) -> None:
    assert check_line_endings(data) == LineEndingProblem(kind, offset)


@given(st.binary(max_size=300))
def test_problem_iff_lone_cr_or_lf(data: bytes) -> None:
    problem = check_line_endings(data)
    clean = data.replace(b"\r\n", b"")
    assert (problem is None) == (b"\r" not in clean and b"\n" not in clean)
