"""One POP3 session per maildrop (RFC 1939 8, RFC 2449 8.1.1 [IN-USE])."""

from __future__ import annotations

from postvak.servers.pop3 import lock
from tests.servers.pop3.pop3_client import BOB, Env


def test_second_session_is_in_use_until_the_first_quits(env: Env) -> None:
    first = env.client()
    assert first.login().ok
    second = env.client()
    reply = second.login()
    assert not reply.ok and reply.code == "IN-USE"
    assert env.client().login(*BOB).ok  # other maildrops are not affected
    first.quit()
    assert second.login().ok


def test_lock_left_by_a_crashed_process_expires(env: Env) -> None:
    alice = env.account_ids["alice@example.test"]
    env.store.write(lock.acquire, alice, "dead-host:1:abc", -1.0)  # already expired
    assert env.client().login().ok


def test_live_lock_of_another_process_blocks(env: Env) -> None:
    alice = env.account_ids["alice@example.test"]
    env.store.write(lock.acquire, alice, "other-host:1:abc", 60.0)
    reply = env.client().login()
    assert not reply.ok and reply.code == "IN-USE"
    env.store.write(lock.release, alice, "other-host:1:abc")
    assert env.client().login().ok


def test_lock_functions(env: Env) -> None:
    alice = env.account_ids["alice@example.test"]
    assert env.store.write(lock.acquire, alice, "a", 60.0)
    assert env.store.write(lock.acquire, alice, "a", 60.0)  # re-entrant for the holder
    assert not env.store.write(lock.acquire, alice, "b", 60.0)
    env.store.write(lock.refresh, alice, "a", 60.0)
    assert env.store.read(lock.holders, alice) == ["a"]
    env.store.write(lock.release, alice, "a")
    assert env.store.read(lock.holders, alice) == []
