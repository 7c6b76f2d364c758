"""GETQUOTA / GETQUOTAROOT (RFC 9208, STORAGE in KiB)."""

from __future__ import annotations

from postvak.store import accounts
from tests.servers.imap.harness import message


def test_quota_root_and_usage(env) -> None:
    env.store.write(accounts.set_quota, "alice@example.test", 10 * 1024 * 1024)
    env.deliver(message("a", body="y" * 5000))
    c = env.client()
    r = c.cmd("GETQUOTAROOT INBOX")
    assert r.untagged[0] == b'* QUOTAROOT INBOX ""'
    assert r.untagged[1].startswith(b'* QUOTA "" (STORAGE ') and r.untagged[1].endswith(b" 10240)")
    assert c.cmd('GETQUOTA ""').ok
    assert c.cmd("GETQUOTA other").text.startswith("[NONEXISTENT]")
    assert c.cmd('SETQUOTA "" (STORAGE 1)').text.startswith("[NOPERM]")
    assert "QUOTA=RES-STORAGE" in c.cmd("CAPABILITY").untagged[0].decode()
