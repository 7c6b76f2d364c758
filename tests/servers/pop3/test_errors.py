"""Errors are mapped once: an unexpected exception answers -ERR [SYS/TEMP] and the
connection lives on; unknown commands and bad arguments are plain -ERR."""

from __future__ import annotations

import pytest

from postvak.protocols.pop3 import Stat
from postvak.servers.pop3 import session as session_module
from tests.servers.pop3.pop3_client import Env


def test_unexpected_exception_is_a_server_error_and_the_session_lives(env: Env, monkeypatch) -> None:  # noqa: ANN001
    async def boom(s, cmd) -> None:  # noqa: ANN001
        raise RuntimeError("bug")

    monkeypatch.setitem(session_module.COMMANDS, Stat, session_module.Cmd(boom, (session_module.Transaction,)))
    c = env.client()
    c.login()
    reply = c.send("STAT")
    assert not reply.ok and reply.code == "SYS/TEMP"
    assert c.send("NOOP").ok


def test_unknown_commands_and_bad_arguments(env: Env) -> None:
    c = env.client()
    assert not c.send("FOO").ok
    assert not c.send("").ok
    c.login()
    assert not c.send("DELE -1").ok
    assert not c.send("LIST 1 2").ok
    assert not c.send("RETR 99999999999").ok
    assert c.send("NOOP").ok


@pytest.mark.parametrize("size", [200_000, 600_000])  # read whole (read-ahead) / streamed
def test_missing_blob_is_a_temporary_error(env: Env, size: int) -> None:
    import os

    from tests.servers.pop3.pop3_client import message

    # Bigger than the store's inline limit, so the bytes are a file we can remove.
    env.deliver(message(1) + b"y" * size + b"\r\n")
    c = env.client()
    c.login()
    sha = env.store.read(__import__("postvak.store.messages", fromlist=["snapshot"]).snapshot,
                         env.mailbox("INBOX").id).messages[0].blob_sha
    os.unlink(env.store.blobs.path(sha))
    reply = c.send("RETR 1")
    assert not reply.ok and reply.code == "SYS/TEMP"
    assert c.send("NOOP").ok
