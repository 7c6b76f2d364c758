"""POP3 status lines, RFC 3206 codes, multi-line responses and CAPA."""

from __future__ import annotations

import pytest

from postvak.protocols.pop3 import (
    AUTH,
    IN_USE,
    LOGIN_DELAY,
    SYS_PERM,
    SYS_TEMP,
    capa,
    err,
    multiline,
    ok,
    sasl_challenge,
)


def test_ok_and_err() -> None:
    assert ok() == b"+OK\r\n"
    assert ok("2 320") == b"+OK 2 320\r\n"
    assert err("no such message") == b"-ERR no such message\r\n"
    assert err("bad login", AUTH) == b"-ERR [AUTH] bad login\r\n"
    assert err("try later", SYS_TEMP) == b"-ERR [SYS/TEMP] try later\r\n"
    assert err("broken", SYS_PERM) == b"-ERR [SYS/PERM] broken\r\n"
    assert err("locked", IN_USE) == b"-ERR [IN-USE] locked\r\n"
    assert err("wait", LOGIN_DELAY) == b"-ERR [LOGIN-DELAY] wait\r\n"
    assert ok("welcome", None).startswith(b"+OK ")


def test_text_cannot_inject_lines() -> None:
    assert err("a\r\n+OK b") == b"-ERR a  +OK b\r\n"


def test_unknown_code_refused() -> None:
    with pytest.raises(ValueError):
        err("x", "NOPE")


def test_multiline_stuffs_and_terminates() -> None:
    assert multiline("2 messages", ["1 120", ".hidden", b"2 200"]) == (
        b"+OK 2 messages\r\n1 120\r\n..hidden\r\n2 200\r\n.\r\n"
    )
    assert multiline("none", []) == b"+OK none\r\n.\r\n"


def test_sasl_challenge() -> None:
    assert sasl_challenge(b"") == b"+ \r\n"
    assert sasl_challenge(b"VXNlcm5hbWU6") == b"+ VXNlcm5hbWU6\r\n"


def test_capa_before_tls_and_after() -> None:
    before = capa(user=False, sasl=(), stls=True, implementation="Postvak")
    lines = before.split(b"\r\n")
    assert lines[0] == b"+OK Capability list follows"
    assert b"STLS" in lines and b"USER" not in lines and b"TOP" in lines and b"UIDL" in lines
    assert b"IMPLEMENTATION Postvak" in lines and b"RESP-CODES" in lines and b"AUTH-RESP-CODE" in lines
    assert before.endswith(b"\r\n.\r\n")
    after = capa(sasl=["plain", "LOGIN"], utf8=True, login_delay=0, expire="NEVER")
    lines = after.split(b"\r\n")
    assert b"SASL PLAIN LOGIN" in lines and b"USER" in lines and b"STLS" not in lines
    assert b"UTF8 USER" in lines and b"LOGIN-DELAY 0" in lines and b"EXPIRE NEVER" in lines
    assert b"PIPELINING" in lines
