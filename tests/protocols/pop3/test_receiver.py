"""POP3 receiver: every command, argument validation, limits, AUTH mode, fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.protocols.pop3 import (
    Auth,
    AuthResponse,
    BadCommand,
    Capa,
    Dele,
    List,
    Noop,
    Pass,
    Pop3Limits,
    Pop3Receiver,
    Quit,
    Retr,
    Rset,
    Stat,
    Stls,
    Top,
    Uidl,
    User,
    Utf8,
)
from postvak.protocols.pop3.commands import Command


def one(line: bytes, receiver: Pop3Receiver | None = None) -> object:
    got = (receiver or Pop3Receiver()).feed(line)
    assert len(got) == 1, got
    return got[0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"USER alice\r\n", User("alice")),
        (b"user alice@example.org\r\n", User("alice@example.org")),
        (b"PASS secret with spaces \r\n", Pass("secret with spaces ")),
        (b"AUTH\r\n", Auth(None)),
        (b"AUTH plain\r\n", Auth("PLAIN")),
        (b"AUTH PLAIN AGJvYgBwdw==\r\n", Auth("PLAIN", b"AGJvYgBwdw==")),
        (b"AUTH PLAIN =\r\n", Auth("PLAIN", b"=")),
        (b"STAT\r\n", Stat()),
        (b"LIST\r\n", List()),
        (b"LIST 3\r\n", List(3)),
        (b"UIDL\r\n", Uidl()),
        (b"uidl 12\r\n", Uidl(12)),
        (b"RETR 1\r\n", Retr(1)),
        (b"TOP 2 0\r\n", Top(2, 0)),
        (b"TOP 2 10\r\n", Top(2, 10)),
        (b"DELE 7\r\n", Dele(7)),
        (b"RSET\r\n", Rset()),
        (b"NOOP\r\n", Noop()),
        (b"QUIT\r\n", Quit()),
        (b"CAPA\r\n", Capa()),
        (b"STLS\r\n", Stls()),
        (b"UTF8\r\n", Utf8()),
        (b"NOOP\n", Noop()),  # bare LF tolerated on input
        (b"STAT \r\n", Stat()),  # trailing space tolerated
    ],
)
def test_commands(line: bytes, expected: Command) -> None:
    assert one(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        b"RETR\r\n", b"RETR 0\r\n", b"RETR -1\r\n", b"RETR +1\r\n", b"RETR x\r\n", b"RETR 1 2\r\n",
        b"RETR 99999999999\r\n", b"TOP 1\r\n", b"TOP 1 -1\r\n", b"DELE\r\n", b"LIST 0\r\n",
        b"LIST 1 2\r\n", b"STAT 1\r\n", b"QUIT now\r\n", b"USER\r\n", b"USER a b\r\n",
        b"PASS\r\n", b"PASS \r\n", b"AUTH PLAIN a b\r\n", b"AUTH PL@IN\r\n", b"APOP a b\r\n",
        b"XYZZY\r\n", b"\r\n", b" STAT\r\n", b"RETR  1\r\n", b"RETR \xb9\r\n", b"USER \xc3\xa4\r\n",
        b"LIST \x001\r\n", b"PASS a\x00b\r\n", b"PASS \xff\r\n",
    ],
)
def test_bad_commands(line: bytes) -> None:
    got = one(line)
    assert isinstance(got, BadCommand), got


def test_unknown_keyword_is_named() -> None:
    assert one(b"XTND\r\n") == BadCommand("XTND", "unknown command")


def test_pipelined_and_split_input() -> None:
    rx = Pop3Receiver()
    assert rx.feed(b"USER a\r\nPA") == [User("a")]
    assert rx.feed(b"SS b\r") == []
    assert rx.feed(b"\nSTAT\r\nLIST 1\r\n") == [Pass("b"), Stat(), List(1)]


def test_argument_limit_is_40_by_default_and_configurable() -> None:
    assert one(b"LIST " + b"1" * 10 + b"\r\n") == List(1111111111)
    assert isinstance(one(b"UIDL " + b"1" * 41 + b"\r\n"), BadCommand)
    rx = Pop3Receiver(Pop3Limits(max_arg=4))
    assert isinstance(one(b"LIST 12345\r\n", rx), BadCommand)


def test_user_may_exceed_40_but_has_own_limit() -> None:
    name = b"a" * 60 + b"@example.org"
    assert one(b"USER " + name + b"\r\n") == User(name.decode())
    assert isinstance(one(b"USER " + b"a" * 240 + b"\r\n", Pop3Receiver(Pop3Limits(max_user=100))), BadCommand)


def test_line_limit_255_and_recovery() -> None:
    rx = Pop3Receiver()
    assert rx.feed(b"NOOP" + b" " * 249 + b"\r\n") == [Noop()]  # exactly 255 with CRLF
    got = rx.feed(b"NOOP" + b" " * 250 + b"\r\nSTAT\r\n")
    assert got == [BadCommand("", "line too long"), Stat()]


def test_overlong_line_without_lf_is_dropped_in_pieces() -> None:
    rx = Pop3Receiver()
    assert rx.feed(b"X" * 300) == [BadCommand("", "line too long")]
    assert rx.feed(b"Y" * 5000) == []  # still discarding, memory bounded
    assert len(rx._buf) == 0
    assert rx.feed(b"Z\r\nNOOP\r\n") == [Noop()]


def test_pass_may_be_longer_but_bounded() -> None:
    pw = b"p" * 500
    assert one(b"PASS " + pw + b"\r\n") == Pass(pw.decode())
    assert isinstance(one(b"PASS " + b"p" * 2000 + b"\r\n"), BadCommand)


def test_pass_utf8_accepted() -> None:
    assert one("PASS pässwörd\r\n".encode()) == Pass("pässwörd")


def test_auth_initial_response_exempt_from_argument_limit() -> None:
    ir = b"A" * 200
    assert one(b"AUTH PLAIN " + ir + b"\r\n") == Auth("PLAIN", ir)


def test_auth_continuation_mode() -> None:
    rx = Pop3Receiver()
    assert rx.feed(b"AUTH LOGIN\r\n") == [Auth("LOGIN")]
    rx.expect_auth_response()
    assert rx.feed(b"YWxpY2U=\r\n") == [AuthResponse(b"YWxpY2U=")]
    rx.expect_auth_response()
    assert rx.feed(b"*\r\nSTAT\r\n") == [AuthResponse(b"*"), Stat()]


def test_auth_continuation_may_be_long_but_bounded() -> None:
    rx = Pop3Receiver()
    rx.expect_auth_response()
    assert rx.feed(b"Q" * 1000 + b"\r\n") == [AuthResponse(b"Q" * 1000)]
    rx.expect_auth_response()
    assert rx.feed(b"Q" * 9000 + b"\r\nNOOP\r\n") == [BadCommand("", "line too long"), Noop()]


def test_utf8_mode_allows_8bit_user() -> None:
    rx = Pop3Receiver()
    assert isinstance(one("USER jörg\r\n".encode(), rx), BadCommand)
    rx.enable_utf8()
    assert one("USER jörg\r\n".encode(), rx) == User("jörg")


@given(st.lists(st.binary(max_size=400), max_size=8), st.booleans())
def test_any_bytes_give_commands_or_badcommand(chunks: list[bytes], auth: bool) -> None:
    rx = Pop3Receiver()
    if auth:
        rx.expect_auth_response()
    for chunk in chunks:
        for item in rx.feed(chunk):
            assert isinstance(
                item,
                (BadCommand, User, Pass, Auth, AuthResponse, Stat, List, Uidl, Retr, Top, Dele, Rset,
                 Noop, Quit, Capa, Stls, Utf8),
            )
    assert len(rx._buf) <= rx.limits.max_auth_line + 1
