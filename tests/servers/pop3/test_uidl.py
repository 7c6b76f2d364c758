"""UIDL (RFC 1939 7): stable unique ids derived from UIDVALIDITY and UID."""

from __future__ import annotations

import re

from tests.servers.pop3.pop3_client import Env, message


def test_uidl_is_stable_across_sessions_and_deletions(env: Env) -> None:
    uids = [env.deliver(message(i)) for i in range(3)]
    uidvalidity = env.mailbox("INBOX").uidvalidity
    c = env.client()
    c.login()
    first = c.uidl()
    assert first == {n: f"{uidvalidity}.{uid}" for n, uid in enumerate(uids, 1)}
    assert c.send("UIDL 2").text == f"2 {first[2]}"
    c.send("DELE 1")
    assert 1 not in c.uidl()
    c.quit()
    c = env.client()
    c.login()
    again = c.uidl()
    assert set(again.values()) == {first[2], first[3]}  # renumbered, same ids
    for uid in again.values():
        assert re.fullmatch(r"[\x21-\x7e]{1,70}", uid)


def test_uidl_of_a_deleted_or_unknown_message(env: Env) -> None:
    env.deliver(message(1))
    c = env.client()
    c.login()
    c.send("DELE 1")
    assert not c.send("UIDL 1").ok
    assert not c.send("UIDL 7").ok
