"""Dispatcher behaviour: pipelining order, internal errors, autologout, IMAP4rev2 answers."""

from __future__ import annotations

from dataclasses import replace

from postvak.servers.imap.session import Cmd
from tests.servers.imap.harness import message


def test_pipelined_commands_are_answered_in_order(env) -> None:
    env.deliver(message("a"))
    c = env.client()
    c.send(b"p1 SELECT INBOX\r\np2 FETCH 1 (UID)\r\np3 NOOP\r\np4 STATUS Sent (MESSAGES)\r\n")
    c.reply("p4")
    out = bytes(c.io.out)
    positions = [out.index(f"p{i} OK".encode()) for i in range(1, 5)]
    assert positions == sorted(positions)


def test_internal_error_is_serverbug_and_connection_lives(env) -> None:
    c = env.client()

    async def broken(session, tag, req):  # noqa: ANN001, ANN202
        raise RuntimeError("boom")

    c.session.commands = {**c.session.commands, "NOOP": replace(c.session.commands["NOOP"], handler=broken)}
    r = c.cmd("NOOP")
    assert r.status == "NO" and r.text.startswith("[SERVERBUG]")
    assert c.cmd("CAPABILITY").ok
    assert isinstance(c.session.commands["LIST"], Cmd)


def test_login_timeout_closes_with_bye(env) -> None:
    c = env.client(login=False)
    c.session._inactivity_timeout = lambda: 0.05  # type: ignore[method-assign]
    c.send(b"n NOOP\r\n")
    c.reply("n")
    assert b"* BYE" in c.wait_for(b"BYE", timeout=2)
    assert c.io.closed


def test_imap4rev2_search_answers_esearch_and_drops_recent(env) -> None:
    env.deliver(message("a"))
    c = env.client()
    c.cmd("ENABLE IMAP4rev2")
    r = c.select()
    assert not r.find("RECENT") and r.find("* LIST")
    r = c.cmd("SEARCH ALL")
    assert r.untagged[0].startswith(b'* ESEARCH (TAG "') and r.untagged[0].endswith(b"ALL 1")
