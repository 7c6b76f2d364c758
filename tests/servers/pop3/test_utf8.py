"""UTF8 (RFC 6856 2): UTF-8 user names after the UTF8 command."""

from __future__ import annotations

from postvak.servers.core.auth import hash_password
from postvak.store import accounts
from tests.servers.pop3.pop3_client import Env


def test_utf8_user_name(env: Env) -> None:
    env.store.write(accounts.add_account, "jürgen@example.test", hash_password("pässword"))
    c = env.client()
    reply = c.send("USER jürgen@example.test".encode())
    assert not reply.ok  # 8-bit argument before UTF8
    assert c.send("UTF8").ok
    assert c.send("USER jürgen@example.test".encode()).ok
    assert c.send("PASS pässword".encode()).ok
    assert not c.send("UTF8").ok  # AUTHORIZATION only
