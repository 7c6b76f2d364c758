"""Script quotas (RFC 5804 2.5 HAVESPACE, 1.3 QUOTA/MAXSIZE, QUOTA/MAXSCRIPTS) from
the `[sieve]` settings, and the literal limit before login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.managesieve.harness import Env


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[Env]:
    e = Env(tmp_path, sieve__max_script_size="200", sieve__max_scripts="3")
    try:
        yield e
    finally:
        e.close()


def test_settings_reach_the_session(env: Env) -> None:
    assert env.config.max_script_size == 200 and env.config.max_scripts == 3


def test_havespace_size(env: Env) -> None:
    c = env.client()
    assert c.cmd('HAVESPACE "main" 200').ok
    reply = c.cmd('HAVESPACE "main" 201')
    assert reply.status == "NO" and reply.has("QUOTA/MAXSIZE")


def test_putscript_over_the_size_quota(env: Env) -> None:
    c = env.client()
    big = "keep;\n" + "# padding\n" * 20  # 206 bytes
    reply = c.put("big", big)
    assert reply.status == "NO" and reply.has("QUOTA/MAXSIZE")
    assert c.scripts() == []
    assert c.put("fits", big[:200]).ok
    reply = c.check(big)
    assert reply.status == "NO" and reply.has("QUOTA/MAXSIZE")


def test_script_count(env: Env) -> None:
    c = env.client()
    for name in ("a", "b", "c"):
        assert c.put(name, "keep;\n").ok
    reply = c.put("d", "keep;\n")
    assert reply.status == "NO" and reply.has("QUOTA/MAXSCRIPTS")
    reply = c.cmd('HAVESPACE "d" 10')
    assert reply.status == "NO" and reply.has("QUOTA/MAXSCRIPTS")
    assert c.cmd('HAVESPACE "a" 10').ok  # replacing one needs no new slot
    assert c.put("a", "discard;\n").ok
    assert c.cmd('DELETESCRIPT "c"').ok
    assert c.put("d", "keep;\n").ok
    assert [n for n, _ in c.scripts()] == ["a", "b", "d"]


def test_huge_literal_is_refused_and_the_session_lives(env: Env) -> None:
    c = env.client()
    # A literal far above the quota is refused without the server waiting for it all.
    c.send(b'PUTSCRIPT "x" {100000+}\r\n' + b"k" * 100000 + b"\r\n")
    reply = c.read()
    assert reply.status == "NO"
    c.idle()
    assert c.cmd("NOOP").ok
    assert c.scripts() == []


def test_literal_before_login_is_small(env: Env) -> None:
    c = env.client(login=False)
    c.send(b'AUTHENTICATE "PLAIN" {50000+}\r\n' + b"A" * 50000 + b"\r\n")
    assert c.read().status in ("NO", "BYE")
    c.idle()
    if not c.io.closed:
        assert c.cmd("NOOP").ok
