"""How an IDLE session waits (commands/idle.py, ImapSession.wait_for_changes): keepalive,
the idle timeout, DONE with commands pipelined behind it, and the connection going away,
all without a task of its own per idle session."""

from __future__ import annotations

import asyncio

import pytest

from postvak.servers.imap.commands import idle as idle_cmd
from tests.servers.imap.harness import message


class _Override:
    """``real`` with some attributes replaced: a short imap.idle_timeout, which the real
    setting refuses (RFC 9051 5.4: at least 30 minutes)."""

    def __init__(self, real: object, **values: object) -> None:
        self._real, self._values = real, values

    def __getattr__(self, name: str) -> object:
        return self._values[name] if name in self._values else getattr(self._real, name)


def test_keepalive_then_idle_timeout_says_bye(env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idle_cmd, "KEEPALIVE", 0.05)
    real = env.ctx.settings
    monkeypatch.setattr(env.ctx, "settings", _Override(real, imap=_Override(real.imap, idle_timeout=0.5)))
    c = env.client()
    c.select()
    c.send(b"i IDLE\r\n")
    c.wait_for(b"+ idling")
    assert b"* OK still here" in c.wait_for(b"still here", timeout=2)
    assert b"* BYE" in c.wait_for(b"BYE", timeout=3)
    assert c.io.closed


def test_done_and_a_pipelined_command_are_answered_in_order(env) -> None:
    env.deliver(message("a"))
    c = env.client()
    c.select()
    c.send(b"i IDLE\r\n")
    c.wait_for(b"+ idling")
    c.send(b"DONE\r\nn NOOP\r\n")
    assert c.reply("n").ok
    out = bytes(c.io.out)
    assert out.index(b"i OK") < out.index(b"n OK")
    c.send(b"j IDLE\r\n")  # a second IDLE on the same session waits again
    c.wait_for(b"+ idling")
    env.deliver(message("b"))
    assert b"* 2 EXISTS" in c.wait_for(b"EXISTS")
    c.send(b"DONE\r\n")
    assert c.reply("j").ok


def test_connection_lost_while_idling_ends_the_session_quietly(env) -> None:
    c = env.client()
    c.select()
    c.send(b"i IDLE\r\n")
    c.wait_for(b"+ idling")
    task = c.session._task
    assert task is not None and not task.done()
    c.session.connection_lost()
    env.run(asyncio.wait_for(asyncio.shield(task), 2))
    assert task.done() and task.exception() is None
    assert b"i " not in c.take()  # nobody to answer


def test_done_sent_with_idle_before_the_continuation_ends_it(env) -> None:
    """A client that sends DONE without waiting for "+ idling" (pipelined in the same
    packet) got it read as a command and its IDLE waited until the idle timeout."""
    c = env.client()
    c.select()
    c.send(b"i IDLE\r\nDONE\r\nn NOOP\r\n")
    assert c.reply("n").ok  # the later tag: every reply before it is in the output then
    out = bytes(c.io.out)
    assert out.index(b"+ idling") < out.index(b"i OK") < out.index(b"n OK")
    assert b"BAD" not in out


def test_a_pipelined_line_other_than_done_ends_idle_with_bad(env) -> None:
    c = env.client()
    c.select()
    c.send(b"i IDLE\r\nnot done\r\nn NOOP\r\n")
    assert c.reply("n").ok
    out = bytes(c.io.out)
    assert out.index(b"+ idling") < out.index(b"i BAD") < out.index(b"n OK")
