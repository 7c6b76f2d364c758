"""Limits: line length, idle timeout (RFC 1939 3), pipelining back-pressure."""

from __future__ import annotations

from dataclasses import replace

from postvak.servers.pop3 import session as session_module
from tests.servers.pop3.pop3_client import Env, message


def test_over_long_line_is_refused_and_the_session_goes_on(env: Env) -> None:
    c = env.client()
    reply = c.send(b"NOOP " + b"x" * 300)
    assert not reply.ok and "too long" in reply.text
    reply = c.send(b"USER " + b"y" * 100_000)  # no end in sight for a while
    assert not reply.ok and "too long" in reply.text
    c.settle()
    assert bytes(c.io.out[c.pos:]) == b""  # one answer per over-long line
    assert c.login().ok


def test_idle_connection_is_closed_without_update(env: Env) -> None:
    env.deliver(message(1))
    c = env.client(config=replace(env.config, idle_timeout=0.5))
    c.login()
    c.send("DELE 1")
    c.settle(1.2)
    assert c.io.closed
    assert b"idle" in bytes(c.io.out[c.pos:])
    assert len(env.bodies("INBOX")) == 1  # the DELE was not committed


def test_activity_keeps_the_connection_open(env: Env) -> None:
    c = env.client(config=replace(env.config, idle_timeout=0.3))
    for _ in range(5):
        c.settle(0.1)
        assert c.send("CAPA").ok
        c.read_body()
    assert not c.io.closed


def test_pipelined_commands_are_answered_in_order(env: Env) -> None:
    env.deliver(message(1))
    env.deliver(message(2))
    c = env.client()
    c.feed(b"USER alice@example.test\r\nPASS alice-secret-1\r\nSTAT\r\nRETR 2\r\nDELE 1\r\nLIST\r\nQUIT\r\n")
    assert c.read_status().ok
    assert c.read_status().ok
    assert c.read_status().text.startswith("2 ")
    assert c.read_status().ok and c.read_body() == message(2)
    assert c.read_status().ok
    assert c.read_status().ok and c.read_body().startswith(b"2 ")
    assert c.read_status().text.startswith("goodbye")


def test_a_flood_of_input_pauses_reading(env: Env, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(session_module, "MAX_PENDING", 1000)
    c = env.client()
    c.session.data_received(b"NOOP\r\n" * 400)
    assert c.io.paused
    c.settle(0.2)
    assert not c.io.paused
