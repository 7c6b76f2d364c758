"""APPEND, MULTIAPPEND, APPENDUID, [TRYCREATE], [OVERQUOTA], literal limits."""

from __future__ import annotations

from postvak.store import accounts
from tests.servers.imap.harness import message


def test_multiappend_is_atomic_with_appenduid(env) -> None:
    c = env.client()
    a, b = message("m1"), message("m2")
    c.send(b'x APPEND Drafts (\\Draft) "05-Mar-2023 10:00:00 +0100" {%d+}\r\n' % len(a) + a
           + b" {%d+}\r\n" % len(b) + b + b"\r\n")
    r = c.reply("x")
    drafts = env.mailbox("Drafts")
    assert r.text.startswith(f"[APPENDUID {drafts.uidvalidity} 1:2]")
    assert drafts.messages == 2
    c.cmd("SELECT Drafts")
    r = c.cmd("FETCH 1 (FLAGS INTERNALDATE)")
    assert b"\\Draft" in r.untagged[0] and b" 5-Mar-2023 09:00:00 +0000" in r.untagged[0]  # same instant, kept in UTC


def test_append_to_missing_mailbox_and_over_quota(env) -> None:
    c = env.client()
    raw = message("x")
    r = c.cmd(b"APPEND Nope {%d+}\r\n" % len(raw) + raw)
    assert r.status == "NO" and r.text.startswith("[TRYCREATE]")
    env.store.write(accounts.set_quota, "alice@example.test", 10)
    r = c.cmd(b"APPEND INBOX {%d+}\r\n" % len(raw) + raw)
    assert r.status == "NO" and r.text.startswith("[OVERQUOTA]")


def test_append_over_the_limit_is_refused_before_the_octets(env) -> None:
    c = env.client()
    c.send(b"big APPEND INBOX {999999999}\r\n")
    r = c.reply("big")
    assert r.status in ("NO", "BAD") and "[TOOBIG]" in r.text
    assert c.cmd("NOOP").ok


def test_other_literals_are_bounded_by_the_configured_literal_size(env) -> None:
    """[limits] literal_size (64 KiB) bounds literals of every command but APPEND."""
    c = env.client()
    assert c.cmd("SELECT INBOX").ok
    c.send(b"s SEARCH TEXT {65537}\r\n")
    r = c.reply("s")
    assert r.status in ("NO", "BAD") and "[TOOBIG]" in r.text
    r = c.cmd(b"SEARCH TEXT {65536+}\r\n" + b"x" * 65536)
    assert r.ok, r
    raw = message("big")
    raw += b"x" * (70000 - len(raw))
    c.send(b"a APPEND INBOX {70000}\r\n")  # a message may be bigger
    assert c.wait_for(b"+ ").startswith(b"+ ")
    c.send(raw + b"\r\n")
    assert c.reply("a").ok
