"""STLS (RFC 2595 4) on port 110."""

from __future__ import annotations

from dataclasses import replace

from tests.servers.pop3.pop3_client import Env


def test_stls_starts_tls_and_then_login_works(env: Env) -> None:
    c = env.client(tls=False, host="192.0.2.10")
    reply = c.send("STLS")
    assert reply.ok and c.io.tls_started == 1 and c.io.is_tls
    assert c.login().ok


def test_commands_pipelined_before_the_handshake_are_discarded(env: Env) -> None:
    c = env.client(tls=False, host="127.0.0.1")
    c.feed(b"STLS\r\nUSER alice@example.test\r\nPASS alice-secret-1\r\n")
    assert c.read_status().ok
    c.settle()
    assert bytes(c.io.out[c.pos:]) == b""  # nothing answered for the injected lines
    assert not c.send("PASS alice-secret-1").ok  # the injected USER never counted


def test_stls_refused_when_tls_is_active_or_not_offered(env: Env) -> None:
    assert not env.client(tls=True).send("STLS").ok
    c = env.client(tls=False, config=replace(env.config, stls=False))
    assert not c.send("STLS").ok


def test_stls_after_login_is_refused(env: Env) -> None:
    c = env.client(tls=False, host="127.0.0.1")
    c.login()
    reply = c.send("STLS")
    assert not reply.ok and c.io.tls_started == 0
