"""SELECT / EXAMINE (CONDSTORE, QRESYNC), CLOSE, UNSELECT, CHECK."""

from __future__ import annotations

from tests.servers.imap.harness import message


def test_select_reports_counts_and_codes(env) -> None:
    env.deliver(message("a"), flags=frozenset({"\\Seen", "$Work"}))
    env.deliver(message("b"))
    c = env.client()
    r = c.select()
    text = b"\n".join(r.untagged).decode()
    assert "* 2 EXISTS" in text and "* 2 RECENT" in text  # first SELECT since delivery (RFC 3501 2.3.2)
    assert "[UNSEEN 2]" in text and "[UIDVALIDITY " in text and "[UIDNEXT 3]" in text
    assert "$Work" in text and "\\*" in text and "[HIGHESTMODSEQ " in text
    assert r.text.startswith("[READ-WRITE]")


def test_examine_is_read_only(env) -> None:
    env.deliver(message("a"))
    c = env.client()
    r = c.cmd("EXAMINE INBOX")
    assert r.text.startswith("[READ-ONLY]")
    assert c.cmd("STORE 1 +FLAGS (\\Flagged)").status == "NO"
    r = c.cmd("FETCH 1 BODY[]")
    assert b"\\Seen" not in r.untagged[0]  # no implicit \Seen in EXAMINE
    assert c.cmd("SELECT Nope").text.startswith("[NONEXISTENT]")
    assert c.cmd("FETCH 1 FLAGS").status == "BAD"  # failed SELECT leaves no mailbox selected


def test_close_expunges_silently_unselect_does_not(env) -> None:
    env.deliver(message("a"), flags=frozenset({"\\Deleted"}))
    env.deliver(message("b"), flags=frozenset({"\\Deleted"}))
    c = env.client()
    c.select()
    r = c.cmd("UNSELECT")
    assert r.ok and not r.untagged
    assert env.mailbox().messages == 2
    c.select()
    assert c.cmd("CHECK").ok
    r = c.cmd("CLOSE")
    assert r.ok and not r.find("EXPUNGE")
    assert env.mailbox().messages == 0


def test_qresync_select_reports_vanished_and_changes(env) -> None:
    for s in "abc":
        env.deliver(message(s))
    c = env.client()
    c.cmd("ENABLE QRESYNC")
    c.select()
    mb = env.mailbox()
    modseq = mb.highestmodseq
    c.cmd("STORE 1 +FLAGS (\\Deleted)")
    c.cmd("STORE 2 +FLAGS (\\Flagged)")
    r = c.cmd("EXPUNGE")
    assert r.find("VANISHED 1")  # QRESYNC: VANISHED instead of EXPUNGE
    c.cmd("UNSELECT")
    r = c.cmd(f"SELECT INBOX (QRESYNC ({mb.uidvalidity} {modseq} 1:3))")
    assert r.ok
    assert r.find("* VANISHED (EARLIER) 1")
    fetches = r.find("FETCH")
    assert len(fetches) == 1 and b"UID 2" in fetches[0] and b"\\Flagged" in fetches[0]


def test_select_without_qresync_enabled_rejects_the_parameter(env) -> None:
    c = env.client()
    assert c.cmd("SELECT INBOX (QRESYNC (1 1))").status == "BAD"
    r = c.cmd("SELECT INBOX (CONDSTORE)")
    assert r.ok and c.session.condstore
