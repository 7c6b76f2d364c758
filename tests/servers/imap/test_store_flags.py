"""STORE / UID STORE: modes, .SILENT, UNCHANGEDSINCE with [MODIFIED], keywords."""

from __future__ import annotations

from tests.servers.imap.harness import message


def test_add_remove_replace_and_silent(env) -> None:
    env.deliver(message("a"))
    c = env.client()
    c.select()
    r = c.cmd("STORE 1 +FLAGS (\\Flagged $Label1)")
    assert b"FLAGS (" in r.untagged[0] and b"$Label1" in r.untagged[0] and b"\\Flagged" in r.untagged[0]
    r = c.cmd("STORE 1 -FLAGS (\\Flagged)")
    assert b"\\Flagged" not in r.untagged[0]
    r = c.cmd("STORE 1 FLAGS.SILENT (\\Answered)")
    assert r.ok and not r.untagged
    r = c.cmd("UID STORE 1 FLAGS (\\Seen)")
    assert r.untagged == [b"* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))"]
    assert c.cmd("STORE 1 +FLAGS (\\Recent)").status == "BAD"


def test_unchangedsince_reports_modified(env) -> None:
    env.deliver(message("a"))
    env.deliver(message("b"))
    c = env.client()
    c.select()
    r = c.cmd("UID FETCH 1:2 (MODSEQ)")
    modseqs = [int(x.split(b"MODSEQ (")[1].split(b")")[0]) for x in r.untagged]
    c.cmd("UID STORE 2 +FLAGS (\\Flagged)")  # bumps message 2's modseq
    r = c.cmd(f"UID STORE 1:2 (UNCHANGEDSINCE {max(modseqs)}) +FLAGS (\\Seen)")
    assert r.text.startswith("[MODIFIED 2]")
    assert len(r.untagged) == 1 and b"UID 1" in r.untagged[0] and b"MODSEQ" in r.untagged[0]
