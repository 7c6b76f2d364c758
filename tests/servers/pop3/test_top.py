"""TOP (RFC 1939 7): header, blank line, first n body lines, dot-stuffed."""

from __future__ import annotations

from tests.servers.pop3.pop3_client import Env

HEAD = b"From: a@example.test\r\nSubject: top\r\n\r\n"
BODY = b"one\r\n.two\r\nthree\r\nfour\r\n"


def test_top_zero_is_the_header(env: Env) -> None:
    env.deliver(HEAD + BODY)
    c = env.client()
    c.login()
    assert c.multi("TOP 1 0").body == HEAD


def test_top_n_lines_with_stuffing(env: Env) -> None:
    env.deliver(HEAD + BODY)
    c = env.client()
    c.login()
    start = c.pos
    assert c.multi("TOP 1 2").body == HEAD + b"one\r\n.two\r\n"
    assert b"\r\n..two\r\n.\r\n" in bytes(c.io.out[start:])


def test_top_more_lines_than_the_body_has(env: Env) -> None:
    env.deliver(HEAD + BODY)
    c = env.client()
    c.login()
    assert c.multi("TOP 1 100").body == HEAD + BODY


def test_top_on_a_message_bigger_than_a_chunk(env: Env) -> None:
    body = b"".join(b"line %06d\r\n" % i for i in range(20000))
    env.deliver(HEAD + body)
    c = env.client()
    c.login()
    assert c.multi("TOP 1 3").body == HEAD + body[: 3 * 13]
    assert c.multi("TOP 1 15000").body == HEAD + body[: 15000 * 13]


def test_top_needs_two_arguments_and_a_live_message(env: Env) -> None:
    env.deliver(HEAD + BODY)
    c = env.client()
    c.login()
    assert not c.send("TOP 1").ok
    assert not c.send("TOP 2 1").ok
    c.send("DELE 1")
    assert not c.send("TOP 1 1").ok
