"""DELE marks, RSET unmarks, QUIT commits by moving to Trash (RFC 1939 5 and 6)."""

from __future__ import annotations

from tests.servers.pop3.pop3_client import Env, message


def test_quit_moves_deleted_messages_to_trash(env: Env) -> None:
    raws = [message(i) for i in range(4)]
    for raw in raws:
        env.deliver(raw)
    c = env.client()
    c.login()
    assert c.send("DELE 1").ok and c.send("DELE 3").ok
    assert not c.send("DELE 3").ok  # already deleted
    reply = c.quit()
    assert reply.ok and "2 messages moved to Trash" in reply.text
    assert c.io.closed
    assert env.bodies("INBOX") == [raws[1], raws[3]]
    assert env.bodies("Trash") == [raws[0], raws[2]]


def test_rset_unmarks(env: Env) -> None:
    env.deliver(message(1))
    env.deliver(message(2))
    c = env.client()
    c.login()
    c.send("DELE 1")
    c.send("DELE 2")
    reply = c.send("RSET")
    assert reply.ok and reply.text.startswith("maildrop has 2 messages")
    assert c.stat()[0] == 2
    c.quit()
    assert len(env.bodies("INBOX")) == 2 and env.bodies("Trash") == []


def test_dropped_connection_commits_nothing_and_frees_the_lock(env: Env) -> None:
    env.deliver(message(1))
    c = env.client()
    c.login()
    c.send("DELE 1")
    c.drop()
    assert len(env.bodies("INBOX")) == 1 and env.bodies("Trash") == []
    assert env.client().login().ok


def test_quit_before_login(env: Env) -> None:
    c = env.client()
    reply = c.quit()
    assert reply.ok and c.io.closed


def test_quit_when_a_deleted_message_was_expunged_meanwhile(env: Env) -> None:
    from postvak.store import messages

    uid = env.deliver(message(1))
    env.deliver(message(2))
    c = env.client()
    c.login()
    c.send("DELE 1")
    c.send("DELE 2")
    inbox = env.mailbox("INBOX")
    env.store.write(messages.set_flags, inbox.id, [uid], "add", {"\\Deleted"})
    env.store.write(messages.expunge, inbox.id)  # an IMAP client removed it
    assert c.quit().ok
    assert env.bodies("INBOX") == [] and env.bodies("Trash") == [message(2)]


def test_noop(env: Env) -> None:
    c = env.client()
    assert not c.send("NOOP").ok  # TRANSACTION only
    c.login()
    assert c.send("NOOP").ok
