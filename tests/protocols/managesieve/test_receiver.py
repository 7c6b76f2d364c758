"""ManageSieve receiver: every command, strings and literals, limits, SASL mode, fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.protocols.managesieve import (
    Authenticate,
    BadCommand,
    Capability,
    CheckScript,
    DeleteScript,
    GetScript,
    HaveSpace,
    ListScripts,
    Logout,
    Noop,
    PutScript,
    RenameScript,
    SaslResponse,
    SetActive,
    SieveLimits,
    SieveReceiver,
    StartTls,
    Unauthenticate,
)
from postvak.protocols.managesieve.commands import Command

SCRIPT = b'require "fileinto";\r\nif header :contains "subject" "x" { fileinto "X"; }\r\n'


def authed(limits: SieveLimits | None = None) -> SieveReceiver:
    rx = SieveReceiver(limits)
    rx.authenticated = True
    return rx


def one(data: bytes, rx: SieveReceiver | None = None) -> object:
    got = (rx or authed()).feed(data)
    assert len(got) == 1, got
    return got[0]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'AUTHENTICATE "PLAIN"\r\n', Authenticate("PLAIN")),
        (b'authenticate "plain" "AGEAYg=="\r\n', Authenticate("PLAIN", b"AGEAYg==")),
        (b'AUTHENTICATE "PLAIN" {8+}\r\nAGEAYg==\r\n', Authenticate("PLAIN", b"AGEAYg==")),
        (b"STARTTLS\r\n", StartTls()),
        (b"LOGOUT\r\n", Logout()),
        (b"Capability\r\n", Capability()),
        (b'HAVESPACE "myscript" 999999\r\n', HaveSpace("myscript", 999999)),
        (b'PUTSCRIPT "foo" {%d+}\r\n' % len(SCRIPT) + SCRIPT + b"\r\n", PutScript("foo", SCRIPT)),
        (b'PUTSCRIPT "foo" {%d}\r\n' % len(SCRIPT) + SCRIPT + b"\r\n", PutScript("foo", SCRIPT)),
        (b'PUTSCRIPT "foo" "keep;"\r\n', PutScript("foo", b"keep;")),
        (b"LISTSCRIPTS\r\n", ListScripts()),
        (b'SETACTIVE "vacation"\r\n', SetActive("vacation")),
        (b'SETACTIVE ""\r\n', SetActive("")),
        (b'GETSCRIPT "f\\"o\\\\o"\r\n', GetScript('f"o\\o')),
        ('DELETESCRIPT "größe"\r\n'.encode(), DeleteScript("größe")),
        (b'RENAMESCRIPT "a" "b"\r\n', RenameScript("a", "b")),
        (b"CHECKSCRIPT {5+}\r\nkeep;\r\n", CheckScript(b"keep;")),
        (b"NOOP\r\n", Noop()),
        (b'NOOP "STARTTLS-SYNC-42"\r\n', Noop("STARTTLS-SYNC-42")),
        (b"UNAUTHENTICATE\r\n", Unauthenticate()),
        (b"LOGOUT\n", Logout()),
        (b'PUTSCRIPT "e" {0+}\r\n\r\n', PutScript("e", b"")),
    ],
)
def test_commands(data: bytes, expected: Command) -> None:
    assert one(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"FOO\r\n", b"\r\n", b"LOGOUT now\r\n", b'AUTHENTICATE\r\n', b'AUTHENTICATE PLAIN\r\n',
        b'AUTHENTICATE "PL AIN"\r\n', b'HAVESPACE "a"\r\n', b'HAVESPACE "a" x\r\n',
        b'HAVESPACE "a" 99999999999\r\n', b'HAVESPACE "a" "1"\r\n', b'PUTSCRIPT "a"\r\n',
        b'PUTSCRIPT foo "x"\r\n', b'GETSCRIPT ""\r\n', b'GETSCRIPT "a\x01b"\r\n', b'GETSCRIPT "a\xffb"\r\n',
        b'GETSCRIPT "a\\nb"\r\n', b'GETSCRIPT  "a"\r\n', b'GETSCRIPT "a"x\r\n', b'RENAMESCRIPT "a"\r\n',
        b'CHECKSCRIPT\r\n', b'NOOP "a" "b"\r\n', b'GETSCRIPT {x+}\r\n', b'GETSCRIPT {3+} abc\r\n',
        b'"LOGOUT"\r\n', b'GETSCRIPT "' + "\u2028".encode() + b'"\r\n', b"LOGOUT\rX\r\n",
        b'GETSCRIPT "' + b"a" * 1025 + b'"\r\n',
    ],
)
def test_bad_commands(data: bytes) -> None:
    got = one(data)
    assert isinstance(got, BadCommand), got


def test_recovers_after_bad_command() -> None:
    rx = authed()
    got = rx.feed(b'GETSCRIPT "a\\nb" junk\r\nLISTSCRIPTS\r\n')
    assert isinstance(got[0], BadCommand) and got[1:] == [ListScripts()]


def test_split_anywhere() -> None:
    data = b'PUTSCRIPT "foo" {%d+}\r\n' % len(SCRIPT) + SCRIPT + b'\r\nSETACTIVE "foo"\r\n'
    for cut in range(len(data) + 1):
        rx = authed()
        got = rx.feed(data[:cut]) + rx.feed(data[cut:])
        assert got == [PutScript("foo", SCRIPT), SetActive("foo")], cut


def test_byte_by_byte() -> None:
    data = b'RENAMESCRIPT "a" {1+}\r\nb\r\nNOOP\r\n'
    rx = authed()
    got = [item for b in data for item in rx.feed(bytes([b]))]
    assert got == [RenameScript("a", "b"), Noop()]


def test_oversized_literal_skipped_with_quota_code() -> None:
    rx = authed(SieveLimits(max_literal=100))
    got = rx.feed(b'PUTSCRIPT "big" {500+}\r\n' + b"x" * 200)
    assert got == []
    assert len(rx._buf) == 0  # nothing buffered
    got = rx.feed(b"x" * 300 + b"\r\nLISTSCRIPTS\r\n")
    assert got == [BadCommand("PUTSCRIPT", "literal too large", "QUOTA/MAXSIZE"), ListScripts()]


def test_stricter_literal_limit_before_login() -> None:
    rx = SieveReceiver(SieveLimits(max_literal_unauth=10, max_literal=1000))
    got = rx.feed(b'PUTSCRIPT "a" {50+}\r\n' + b"y" * 50 + b"\r\n")
    assert got == [BadCommand("PUTSCRIPT", "literal too large", None)]
    rx.authenticated = True
    assert rx.feed(b'PUTSCRIPT "a" {50+}\r\n' + b"y" * 50 + b"\r\n") == [PutScript("a", b"y" * 50)]


def test_line_limit() -> None:
    rx = authed(SieveLimits(max_line=50))
    got = rx.feed(b"NOOP" + b" x" * 100)
    assert got and isinstance(got[0], BadCommand)
    assert rx.feed(b"more\r\nLOGOUT\r\n") == [Logout()]


def test_sasl_mode() -> None:
    rx = SieveReceiver()
    assert rx.feed(b'AUTHENTICATE "LOGIN"\r\n') == [Authenticate("LOGIN")]
    rx.expect_sasl_response()
    assert rx.feed(b'"YWxpY2U="\r\n') == [SaslResponse(b"YWxpY2U=")]
    rx.expect_sasl_response()
    assert rx.feed(b"{4+}\r\ncHc9\r\n") == [SaslResponse(b"cHc9")]
    rx.expect_sasl_response()
    assert rx.feed(b'"*"\r\nLOGOUT\r\n') == [SaslResponse(b"*"), Logout()]


ITEM_TYPES = (Authenticate, BadCommand, Capability, CheckScript, DeleteScript, GetScript, HaveSpace,
              ListScripts, Logout, Noop, PutScript, RenameScript, SaslResponse, SetActive, StartTls,
              Unauthenticate)


@given(st.lists(st.binary(max_size=300) | st.sampled_from(
    [b'PUTSCRIPT "a" {3+}\r\n', b"abc\r\n", b'"q\\"', b"{99999+}\r\n", b"NOOP\r\n", b"\r", b"\n"]),
    max_size=10), st.booleans(), st.booleans())
def test_any_bytes_only_commands_or_badcommand(chunks: list[bytes], auth: bool, sasl: bool) -> None:
    rx = SieveReceiver(SieveLimits(max_line=200, max_literal=500, max_literal_unauth=50))
    rx.authenticated = auth
    if sasl:
        rx.expect_sasl_response()
    for chunk in chunks:
        for item in rx.feed(chunk):
            assert isinstance(item, ITEM_TYPES)
        assert len(rx._buf) <= 200 + 500 + 40
