"""ENVELOPE / BODY / BODYSTRUCTURE from real parsed messages (postvak.protocols.mime)."""

from __future__ import annotations

from postvak.protocols.imap.bodystructure import body, envelope
from postvak.protocols.mime import parse_message

SIMPLE = (
    b"Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
    b"From: Fred Foobar <foobar@Blurdybloop.example>\r\n"
    b"Subject: afternoon meeting\r\n"
    b"To: mooch@owatagu.example\r\n"
    b"Message-Id: <B27397-0100000@Blurdybloop.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
    b"\r\n"
    b"Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"
)

MULTI = (
    b"From: a@b.example\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
    b"--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
    b"--XX\r\nContent-Type: message/rfc822\r\n\r\n"
    b"From: c@d.example\r\nSubject: inner\r\n\r\ninner body\r\n"
    b"--XX\r\nContent-Type: application/pdf; name=x.pdf\r\nContent-Disposition: attachment; filename=x.pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n"
    b"--XX--\r\n"
)


def test_envelope_rfc3501_example() -> None:
    env = envelope(parse_message(SIMPLE).envelope)
    assert env == (
        b'("Mon, 7 Feb 1994 21:52:25 -0800" "afternoon meeting" '
        b'(("Fred Foobar" NIL "foobar" "Blurdybloop.example")) '
        b'(("Fred Foobar" NIL "foobar" "Blurdybloop.example")) '
        b'(("Fred Foobar" NIL "foobar" "Blurdybloop.example")) '
        b'((NIL NIL "mooch" "owatagu.example")) NIL NIL NIL "<B27397-0100000@Blurdybloop.example>")'
    )


def test_simple_body_and_bodystructure() -> None:
    part = parse_message(SIMPLE).body
    b = body(part, extensible=False)
    assert b.startswith(b'("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" ') or b.lower().startswith(
        b'("text" "plain" ("charset" "us-ascii") nil nil "7bit" '
    )
    assert b.endswith(b" 1)")  # one line
    bs = body(part)
    assert bs.count(b"NIL") >= 4 and bs.startswith(b[:-1])


def test_multipart_with_embedded_message() -> None:
    bs = body(parse_message(MULTI).body)
    low = bs.lower()
    assert low.startswith(b'(("text" "plain"')
    assert b'("message" "rfc822"' in low
    assert b'"inner"' in low  # embedded envelope subject
    assert b'("attachment" ("filename" "x.pdf"))' in low
    assert b' "mixed" ("boundary" "xx")' in low
    # Balanced parentheses outside strings: a client can parse it.
    depth = 0
    in_quote = False
    prev = 0
    for ch in bs:
        if ch == 0x22 and prev != 0x5C:
            in_quote = not in_quote
        elif not in_quote:
            depth += (ch == 0x28) - (ch == 0x29)
            assert depth >= 0
        prev = ch
    assert depth == 0 and not in_quote
