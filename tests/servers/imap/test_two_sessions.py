"""Two sessions on one mailbox see each other's changes at the moments the RFCs allow."""

from __future__ import annotations

from tests.servers.imap.harness import message


def test_flags_and_new_mail_reach_the_other_session_on_noop(env) -> None:
    env.deliver(message("a"))
    one, two = env.client(), env.client()
    one.select()
    two.select()
    one.cmd("STORE 1 +FLAGS.SILENT (\\Flagged)")
    one.cmd(b"APPEND INBOX {%d+}\r\n" % len(message("b")) + message("b"))
    r = two.cmd("NOOP")
    text = b"\n".join(r.untagged)
    assert b"* 2 EXISTS" in text and b"* 0 RECENT" in text  # \Recent went to `one`, told first (APPEND)
    assert b"* 1 FETCH (FLAGS (\\Flagged))" in text
    assert two.cmd("NOOP").untagged == []  # each change is told once


def test_no_expunge_during_fetch_store_search_but_at_noop(env) -> None:
    for s in "abc":
        env.deliver(message(s))
    one, two = env.client(), env.client()
    one.select()
    two.select()
    one.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)")
    assert one.cmd("EXPUNGE").untagged == [b"* 2 EXPUNGE"]
    # RFC 3501 7.4.1: not during FETCH / STORE / SEARCH; the numbers stay valid meanwhile.
    r = two.cmd("FETCH 3 (UID)")
    assert r.ok and r.untagged == [b"* 3 FETCH (UID 3)"]
    r = two.cmd("STORE 1 +FLAGS (\\Seen)")
    assert not r.find("EXPUNGE")
    r = two.cmd("SEARCH ALL")
    assert not r.find("EXPUNGE")
    r = two.cmd("NOOP")
    assert r.untagged == [b"* 2 EXPUNGE"]
    assert two.cmd("FETCH 2 (UID)").untagged == [b"* 2 FETCH (UID 3)"]


def test_uid_fetch_may_carry_expunge_and_qresync_gets_vanished(env) -> None:
    for s in "ab":
        env.deliver(message(s))
    one, two = env.client(), env.client()
    two.cmd("ENABLE QRESYNC")
    one.select()
    two.select()
    one.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)")
    one.cmd("EXPUNGE")
    r = two.cmd("UID FETCH 1:* (FLAGS)")
    assert b"* VANISHED 1" in r.untagged


def test_idle_wakes_for_the_other_sessions_store_and_expunge(env) -> None:
    env.deliver(message("a"))
    env.deliver(message("b"))
    one, two = env.client(), env.client()
    one.select()
    two.select()
    two.send(b"i IDLE\r\n")
    two.wait_for(b"+ idling")
    one.cmd("STORE 1 +FLAGS.SILENT (\\Deleted \\Seen)")
    got = two.wait_for(b"FETCH")
    assert b"\\Deleted" in got
    one.cmd("EXPUNGE")
    assert b"* 1 EXPUNGE" in two.wait_for(b"EXPUNGE")
    two.send(b"DONE\r\n")
    assert two.reply("i").ok


def test_idle_wants_done(env) -> None:
    c = env.client()
    c.select()
    c.send(b"i IDLE\r\n")
    c.wait_for(b"+ idling")
    c.send(b"NOPE\r\n")
    assert c.reply("i").status == "BAD"
    assert c.cmd("NOOP").ok
