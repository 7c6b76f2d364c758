"""EXPUNGE and UID EXPUNGE (RFC 4315 2.1)."""

from __future__ import annotations

from tests.servers.imap.harness import message


def test_uid_expunge_only_removes_named_uids(env) -> None:
    for s in "abcd":
        env.deliver(message(s), flags=frozenset({"\\Deleted"}))
    c = env.client()
    c.select()
    r = c.cmd("UID EXPUNGE 2,4")
    assert r.untagged == [b"* 4 EXPUNGE", b"* 2 EXPUNGE"]
    assert env.mailbox().messages == 2
    r = c.cmd("EXPUNGE")
    assert r.untagged == [b"* 2 EXPUNGE", b"* 1 EXPUNGE"]
    assert c.cmd("EXPUNGE").untagged == []
