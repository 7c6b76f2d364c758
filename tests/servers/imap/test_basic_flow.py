"""LOGIN, SELECT, FETCH, STORE, EXPUNGE, APPEND and IDLE through one session."""

from __future__ import annotations

from tests.servers.imap.harness import message


def test_greeting_and_capability_before_login(env) -> None:
    c = env.client(login=False)
    r = c.cmd("CAPABILITY")
    assert r.ok
    caps = r.find("* CAPABILITY")[0].decode()
    assert "IMAP4rev1" in caps and "AUTH=PLAIN" in caps and "STARTTLS" in caps
    assert "IDLE" not in caps  # extensions only after login


def test_login_select_fetch_store_expunge(env) -> None:
    env.deliver(message("one"))
    env.deliver(message("two"))
    c = env.client()
    r = c.select()
    assert b"* 2 EXISTS" in r.untagged
    assert r.text.startswith("[READ-WRITE]")
    r = c.cmd("FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)")
    assert r.ok
    assert len(r.find("FETCH")) == 2
    assert b'"one"' in r.untagged[0]
    r = c.cmd("FETCH 2 BODY[]")
    assert r.ok and b"Subject: two" in r.untagged[0]
    assert b"\\Seen" in r.untagged[0]  # implicit \Seen, reported with the body
    r = c.cmd("STORE 1 +FLAGS (\\Deleted)")
    assert r.ok and b"\\Deleted" in r.find("* 1 FETCH")[0]
    r = c.cmd("EXPUNGE")
    assert r.ok and r.untagged == [b"* 1 EXPUNGE"]
    r = c.cmd("UID FETCH 1:* (UID)")
    assert [line for line in r.untagged] == [b"* 1 FETCH (UID 2)"]


def test_append_returns_appenduid_and_idle_sees_delivery(env) -> None:
    c = env.client()
    raw = message("appended")
    c.send(b"a1 APPEND INBOX (\\Flagged) {%d}\r\n" % len(raw))
    c.wait_for(b"+ ")
    c.send(raw + b"\r\n")
    r = c.reply("a1")
    assert r.ok and "[APPENDUID " in r.text
    c.select()
    c.send(b"i1 IDLE\r\n")
    c.wait_for(b"+ idling")
    env.deliver(message("live"))
    got = c.wait_for(b"EXISTS")
    assert b"* 2 EXISTS" in got
    c.send(b"DONE\r\n")
    r = c.reply("i1")
    assert r.ok
