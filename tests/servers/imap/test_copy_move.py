"""COPY, MOVE, UID COPY/MOVE with COPYUID; missing destination is [TRYCREATE]."""

from __future__ import annotations

from tests.servers.imap.harness import message


def test_copy_returns_copyuid_and_keeps_flags(env) -> None:
    env.deliver(message("a"), flags=frozenset({"\\Flagged"}))
    env.deliver(message("b"))
    c = env.client()
    c.cmd("CREATE Keep")
    c.select()
    r = c.cmd("COPY 1:2 Keep")
    keep = env.mailbox("Keep")
    assert r.text.startswith(f"[COPYUID {keep.uidvalidity} 1:2 1:2]")
    assert keep.messages == 2
    assert c.cmd("COPY 1 Nowhere").text.startswith("[TRYCREATE]")


def test_move_expunges_from_source(env) -> None:
    for s in "abc":
        env.deliver(message(s))
    c = env.client()
    c.select()
    r = c.cmd("UID MOVE 2:3 Trash")
    trash = env.mailbox("Trash")
    assert r.ok
    assert r.untagged[0].startswith(f"* OK [COPYUID {trash.uidvalidity} 2:3 1:2]".encode())
    assert r.untagged[1:] == [b"* 3 EXPUNGE", b"* 2 EXPUNGE"]
    assert env.mailbox().messages == 1 and trash.messages == 2
    r = c.cmd("FETCH 1:* (UID)")
    assert r.untagged == [b"* 1 FETCH (UID 1)"]
