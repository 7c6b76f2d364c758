"""APPEND with the UTF8 data item (RFC 6855 4): accepted after ENABLE UTF8=ACCEPT, BAD before."""

from __future__ import annotations

MSG = ("From: Jörg <jörg@exämple.test>\r\nTo: alice@example.test\r\nSubject: Grüße aus Köln\r\n"
       "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <utf8@example.test>\r\n\r\nHallo Welt\r\n").encode()


def utf8_append(mailbox: str = "INBOX", flags: str = "") -> bytes:
    return (f"APPEND {mailbox} {flags}UTF8 (~{{{len(MSG)}+}}\r\n").encode() + MSG + b")"


def test_utf8_append_is_bad_without_enable(env) -> None:
    c = env.client()
    r = c.cmd(utf8_append())
    assert r.status == "BAD" and "UTF8=ACCEPT" in r.text
    assert env.mailbox("INBOX").messages == 0
    assert c.cmd("NOOP").ok  # the session goes on


def test_utf8_append_is_bad_under_imap4rev2_alone(env) -> None:
    c = env.client()
    assert c.cmd("ENABLE IMAP4rev2").ok
    assert c.cmd(utf8_append()).status == "BAD"  # RFC 9051 has no UTF8 data item


def test_utf8_append_after_enable_stores_the_octets(env) -> None:
    c = env.client()
    r = c.cmd("ENABLE UTF8=ACCEPT")
    assert r.ok and r.find("* ENABLED UTF8=ACCEPT")
    r = c.cmd(utf8_append(flags="(\\Seen) "))
    assert r.ok, r
    inbox = env.mailbox("INBOX")
    assert r.text.startswith(f"[APPENDUID {inbox.uidvalidity} 1]") and inbox.messages == 1
    c.select()
    r = c.cmd("FETCH 1 (FLAGS BODY.PEEK[] ENVELOPE)")
    assert r.ok
    line = r.untagged[0]
    assert b"\\Seen" in line and MSG in line
    assert "Grüße aus Köln".encode() in line.split(b"ENVELOPE", 1)[1]  # raw UTF-8 once enabled


def test_utf8_multiappend_with_a_plain_message(env) -> None:
    c = env.client()
    assert c.cmd("ENABLE UTF8=ACCEPT").ok
    plain = b"Subject: plain\r\n\r\nx\r\n"
    r = c.cmd(utf8_append("Drafts") + b" {%d+}\r\n" % len(plain) + plain)
    assert r.ok and r.text.startswith(f"[APPENDUID {env.mailbox('Drafts').uidvalidity} 1:2]")
