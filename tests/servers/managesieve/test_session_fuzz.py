"""Any bytes into a ManageSieve session, before or after login: it never crashes.
Every answer is a well-formed response (data lines, then OK / NO / BYE); no
"internal server error", nothing logged as an error, the worker task alive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.servers.managesieve.harness import PASSWORD, USER, Client, Env, is_status, plain, split_lines

PIECES = [
    b"\r\n", b" ", b'"', b"{", b"}", b"+", b"{5+}\r\n", b"{3}\r\n", b"*", b"\\", b"\x00", b"\xff",
    b"CAPABILITY", b"NOOP", b'NOOP "t"', b"LOGOUT", b"STARTTLS", b"UNAUTHENTICATE", b"LISTSCRIPTS",
    b'AUTHENTICATE "PLAIN"', b'AUTHENTICATE "PLAIN" "' + plain(USER, "nope").encode() + b'"',
    b'PUTSCRIPT "f" ', b"CHECKSCRIPT ", b'HAVESPACE "f" ', b"4294967296", b"99", b'SETACTIVE "f"',
    b'GETSCRIPT "f"', b'DELETESCRIPT "f"', b'RENAMESCRIPT "f" "g"', b"keep;", b'require "fileinto";',
    b'fileinto "x";', b"if true {", b"}", b"vacation :days 0 \"x\";", b'"' + b"a" * 1100 + b'"',
]

chunks = st.lists(st.one_of(st.binary(max_size=24), st.sampled_from(PIECES)), max_size=25)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    e = Env(Path(tmp_path_factory.mktemp("fuzz")))
    try:
        yield e
    finally:
        e.close()


def check(c: Client) -> None:
    c.idle()
    task = c.session._task
    assert task is not None
    if task.done() and not task.cancelled():
        assert task.exception() is None
    assert b"internal server error" not in c.io.out
    assert not [e for e in c.io.log.events if e[0] == "error"], c.io.log.events
    lines = split_lines(bytes(c.io.out))
    for line in lines:
        # data lines are strings/literals (capabilities, listings, SASL challenges)
        assert is_status(line) or line[:1] in (b'"', b"{"), line[:200]
    if not c.io.closed:
        tail = bytes(c.io.out)
        # a SASL exchange may be waiting for the client; anything else ends in a status
        assert not lines or is_status(lines[-1]) or lines[-1][:1] in (b'"', b"{") or tail.endswith(b"\r\n")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=chunks)
def test_any_bytes_before_login(env: Env, data: list[bytes]) -> None:
    c = Client(env)
    try:
        for piece in data:
            c.send(piece)
        check(c)
    finally:
        c.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=chunks)
def test_any_bytes_after_login(env: Env, data: list[bytes]) -> None:
    c = Client(env)
    try:
        c.login(USER, PASSWORD)
        for piece in data:
            c.send(piece)
        check(c)
    finally:
        c.close()
