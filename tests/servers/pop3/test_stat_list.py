"""STAT and LIST (RFC 1939 5): sizes in octets, deleted messages left out."""

from __future__ import annotations

from tests.servers.pop3.pop3_client import Env, message


def test_stat_and_list_count_live_messages(env: Env) -> None:
    raws = [message(i, b"x" * i * 10) for i in range(1, 4)]
    for raw in raws:
        env.deliver(raw)
    c = env.client()
    c.login()
    assert c.stat() == (3, sum(map(len, raws)))
    assert c.list() == {1: len(raws[0]), 2: len(raws[1]), 3: len(raws[2])}
    assert c.send("LIST 2").text == f"2 {len(raws[1])}"
    c.send("DELE 2")
    assert c.stat() == (2, len(raws[0]) + len(raws[2]))
    assert c.list() == {1: len(raws[0]), 3: len(raws[2])}
    reply = c.send("LIST 2")
    assert not reply.ok and "deleted" in reply.text
    assert not c.send("LIST 4").ok


def test_empty_maildrop(env: Env) -> None:
    c = env.client()
    c.login()
    assert c.stat() == (0, 0)
    reply = c.multi("LIST")
    assert reply.ok and reply.body == b""


def test_the_snapshot_does_not_change_during_the_session(env: Env) -> None:
    env.deliver(message(1))
    c = env.client()
    c.login()
    env.deliver(message(2))  # arrives mid-session: RFC 1939 keeps numbers fixed
    assert c.stat()[0] == 1
    c.quit()
    c = env.client()
    c.login()
    assert c.stat()[0] == 2


def test_inbox_only(env: Env) -> None:
    from postvak.store import messages

    trash = env.mailbox("Trash")
    env.store.write(messages.ingest, env.account_ids["alice@example.test"], trash.id, message(9))
    c = env.client()
    c.login()
    assert c.stat() == (0, 0)
