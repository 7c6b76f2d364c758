"""RENAME INBOX (RFC 3501 6.3.5, RFC 9051 6.3.6): the messages move to a new mailbox, INBOX stays."""

from __future__ import annotations

from tests.servers.imap.harness import message


def test_rename_inbox_moves_all_messages_and_keeps_inbox(env) -> None:
    env.deliver(message("a"), flags=frozenset({"\\Seen", "$Work"}))
    env.deliver(message("b"))
    env.deliver(message("c"), flags=frozenset({"\\Flagged"}))
    c = env.client()
    assert c.cmd("CREATE INBOX/keep").ok
    r = c.cmd("RENAME INBOX Old-Mail")
    assert r.ok, r
    inbox, old = env.mailbox("INBOX"), env.mailbox("Old-Mail")
    assert inbox.messages == 0 and old.messages == 3 and old.unseen == 2
    r = c.cmd('LIST "" "*"')
    names = {line.rsplit(b" ", 1)[1] for line in r.untagged}
    assert {b"INBOX", b"Old-Mail", b"INBOX/keep"} <= names  # RFC 3501 6.3.5: INBOX's children stay
    c.select("Old-Mail")
    r = c.cmd("FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (Subject)])")
    assert len(r.untagged) == 3
    assert b"$Work" in r.untagged[0] and b"Subject: a" in r.untagged[0]
    assert b"\\Flagged" in r.untagged[2] and b"Subject: c" in r.untagged[2]
    # New mail still lands in INBOX.
    env.deliver(message("d"))
    assert env.mailbox("INBOX").messages == 1


def test_rename_empty_inbox_and_case_insensitive_name(env) -> None:
    c = env.client()
    assert c.cmd("RENAME inbox Empty").ok
    assert env.mailbox("Empty").messages == 0 and env.mailbox("INBOX").messages == 0


def test_rename_inbox_refusals(env) -> None:
    env.deliver(message("a"))
    c = env.client()
    c.cmd("CREATE Taken")
    assert c.cmd("RENAME INBOX Taken").text.startswith("[ALREADYEXISTS]")
    assert c.cmd("RENAME INBOX INBOX").status == "NO"
    assert c.cmd("RENAME INBOX Spam/under").status == "NO"  # no children under Spam
    assert env.mailbox("INBOX").messages == 1  # a failed RENAME moves nothing (one transaction)


def test_session_with_inbox_selected_sees_the_messages_go(env) -> None:
    env.deliver(message("a"))
    env.deliver(message("b"))
    watcher = env.client()
    watcher.select()
    c = env.client()
    assert c.cmd("RENAME INBOX Archive-2024").ok
    r = watcher.cmd("NOOP")
    assert r.find("* 2 EXPUNGE") and r.find("* 1 EXPUNGE")
    r = watcher.cmd("FETCH 1:* FLAGS")
    assert r.status == "BAD" or not r.untagged  # INBOX is empty now
