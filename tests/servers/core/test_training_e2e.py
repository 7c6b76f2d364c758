"""Training end to end: imaplib MOVEs into and out of Spam on `postvak serve` change
where the next similar message sent through SMTP lands."""

from __future__ import annotations

import imaplib
import smtplib

from tests.servers.core.test_training import COLLEAGUE, HAMMY, PROMO, SPAMMY
from tests.support.server import RunningServer


def send(server: RunningServer, sender: str, subject: str, body: str) -> None:
    raw = (f"From: {sender}\r\nTo: alice@example.test\r\nSubject: {subject}\r\n"
           f"Date: Mon, 3 Jun 2024 10:00:00 +0000\r\nMessage-ID: <{abs(len(subject) * 7919 + len(body))}."
           f"{subject.replace(' ', '-')}@x.test>\r\n\r\n{body}\r\n").encode()
    with smtplib.SMTP("127.0.0.1", server.port("smtp"), timeout=30) as smtp:
        smtp.sendmail(sender, ["alice@example.test"], raw)


def count(imap: imaplib.IMAP4, box: str) -> int:
    typ, data = imap.status(box, "(MESSAGES)")
    assert typ == "OK"
    return int(data[0].split(b"MESSAGES ")[1].rstrip(b")"))


def test_imap_moves_train_the_filter(mail_server: RunningServer) -> None:
    imap = imaplib.IMAP4_SSL("127.0.0.1", mail_server.port("imaps"), ssl_context=mail_server.client_tls_context())
    try:
        imap.login("alice@example.test", "alice-secret-1")
        for i in range(10):
            send(mail_server, PROMO, f"WIN offer {i}", f"{SPAMMY} number {i}")
        assert count(imap, "Spam") == 0
        imap.select("INBOX")
        assert imap.uid("MOVE", "1:*", "Spam")[0] == "OK"  # trained as spam
        for i in range(10):
            send(mail_server, COLLEAGUE, f"work {i}", f"{HAMMY} item {i}")
        imap.select("INBOX")
        assert imap.uid("MOVE", "1:*", "Spam")[0] == "OK"  # misfiled...
        imap.select("Spam")
        typ, data = imap.uid("SEARCH", "FROM", COLLEAGUE)
        assert typ == "OK" and len(data[0].split()) == 10
        assert imap.uid("MOVE", b",".join(data[0].split()).decode(), "INBOX")[0] == "OK"  # ...and rescued: ham
        imap.select("INBOX")
        spam_before = count(imap, "Spam")
        send(mail_server, PROMO, "WIN offer again", SPAMMY + " today")
        send(mail_server, COLLEAGUE, "work again", HAMMY + " today")
        assert count(imap, "Spam") == spam_before + 1
        imap.select("Spam")
        typ, data = imap.uid("SEARCH", "SUBJECT", '"offer again"')
        assert data[0].split(), "the new spam is in Spam"
        imap.select("INBOX")
        typ, data = imap.uid("SEARCH", "SUBJECT", '"work again"')
        assert data[0].split(), "the new ham is in INBOX"
        imap.logout()
    finally:
        try:
            imap.shutdown()
        except OSError:
            pass
