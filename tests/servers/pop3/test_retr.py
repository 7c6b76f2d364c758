"""RETR (RFC 1939 7): byte-exact, dot-stuffed, streamed in chunks."""

from __future__ import annotations

import os

from postvak.servers.pop3 import stream
from tests.servers.pop3.pop3_client import Env, message


def test_retr_returns_the_stored_bytes(env: Env) -> None:
    raw = message(1)
    env.deliver(raw)
    c = env.client()
    assert c.login().ok
    reply = c.multi("RETR 1")
    assert reply.ok and reply.text == f"{len(raw)} octets"
    assert reply.body == raw


def test_lines_starting_with_a_dot_are_stuffed_on_the_wire(env: Env) -> None:
    raw = message(1, b".\r\n..two\r\n.three\r\n")
    env.deliver(raw)
    c = env.client()
    c.login()
    start = c.pos
    assert c.retr(1) == raw
    wire = bytes(c.io.out[start:])
    assert b"\r\n..\r\n...two\r\n..three\r\n.\r\n" in wire


def test_big_message_streams_in_chunks_with_drain_and_stuffing_across_boundaries(env: Env) -> None:
    # put a "." at the start of a line exactly on a chunk boundary, and a CRLF split across one
    head = message(1)
    filler = b"x" * (stream.CHUNK - len(head) - 2) + b"\r\n"
    raw = head + filler + b".dot at chunk start\r\n" + (b"y" * 998 + b"\r\n") * 300
    raw += b"z" * (3 * stream.CHUNK - len(raw) - 1) + b"\r\n.\r\n"
    assert raw[stream.CHUNK:stream.CHUNK + 1] == b"."
    env.deliver(raw)
    c = env.client()
    c.login()
    assert c.retr(1) == raw
    assert c.io.drains >= 3


def test_binary_and_8bit_content_round_trips(env: Env) -> None:
    binary = bytes(b for b in range(256) if b != 0x0A) * 50 + os.urandom(5000).replace(b"\n", b"\r\n")
    binary = binary.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    raw = message(1, "grüße, ﬁ\r\n".encode() + binary + b"\r\n")
    env.deliver(raw)
    c = env.client()
    c.login()
    assert c.retr(1) == raw


def test_retr_of_unknown_or_deleted_message_is_refused(env: Env) -> None:
    env.deliver(message(1))
    c = env.client()
    c.login()
    assert not c.send("RETR 2").ok
    assert c.send("DELE 1").ok
    reply = c.send("RETR 1")
    assert not reply.ok and "deleted" in reply.text
    assert not c.send("RETR 0").ok
    assert not c.send("RETR x").ok


def test_retr_before_login_is_refused(env: Env) -> None:
    c = env.client()
    reply = c.send("RETR 1")
    assert not reply.ok and "state" in reply.text
