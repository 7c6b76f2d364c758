"""A script uploaded with sievelib acts on mail delivered through SMTP (MX port):
files into a created folder with a tag, refuses with 550 5.7.1, forwards to a remote
address (the outbound queue) and to a local one (that user's INBOX)."""

from __future__ import annotations

import smtplib
import time

import pytest
from sievelib import managesieve

from postvak.store import accounts, mailboxes, messages, queue
from tests.support.server import RunningServer

SCRIPT = """require ["fileinto", "mailbox", "imap4flags", "reject", "copy"];
if header :contains "subject" "invoice" {
    addflag "$Bill";
    fileinto :create "Bills";
    stop;
}
if header :contains "subject" "buy now" {
    reject "Not interested, thank you.";
    stop;
}
if header :contains "subject" "to remote" {
    redirect "carol@elsewhere.test";
    stop;
}
if header :contains "subject" "to alice" {
    redirect :copy "alice@example.test";
}
"""


def message(subject: str) -> bytes:
    return (f"From: dave@sender.test\r\nTo: bob@example.test\r\nSubject: {subject}\r\n"
            f"Date: Mon, 3 Jun 2024 10:00:00 +0000\r\nMessage-ID: <{subject.replace(' ', '.')}@sender.test>\r\n"
            f"\r\nHello Bob, about {subject}.\r\n").encode()


@pytest.fixture(scope="module")
def uploaded(mail_server: RunningServer) -> RunningServer:
    context = mail_server.client_tls_context()
    original = managesieve.ssllib.create_default_context
    managesieve.ssllib.create_default_context = lambda *a, **k: context
    try:
        client = managesieve.Client("127.0.0.1", mail_server.port("managesieve"))
        assert client.connect("bob@example.test", "bob-secret-1", starttls=True, authmech="PLAIN")
        assert client.checkscript(SCRIPT), client.errmsg
        assert client.putscript("rules", SCRIPT), client.errmsg
        assert client.setactive("rules")
        assert client.getscript("rules").replace("\r\n", "\n").rstrip() == SCRIPT.rstrip()
        client.logout()
    finally:
        managesieve.ssllib.create_default_context = original
    return mail_server


def send(server: RunningServer, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", server.port("smtp"), timeout=30) as smtp:
        smtp.sendmail("dave@sender.test", ["bob@example.test"], message(subject))


def folder(server: RunningServer, address: str, name: str) -> list:
    store = server.open_store()
    try:
        acct = store.read(accounts.get_account, address)
        box = store.read(mailboxes.find_mailbox, acct.id, name)
        if box is None:
            return []
        uids = [m.uid for m in store.read(messages.snapshot, box.id).messages]
        return [(m, store.blobs.open(m.blob_sha).read()) for m in store.read(messages.fetch_meta, box.id, uids)]
    finally:
        store.close()


def test_fileinto_with_tag(uploaded: RunningServer) -> None:
    send(uploaded, "invoice 17")
    ((meta, raw),) = folder(uploaded, "bob@example.test", "Bills")
    assert "$Bill" in meta.flags and b"Subject: invoice 17" in raw
    assert b"X-Spam-Status:" in raw


def test_reject_is_550_at_smtp_time(uploaded: RunningServer) -> None:
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(uploaded, "buy now")
    assert refused.value.smtp_code == 550 and b"5.7.1" in refused.value.smtp_error
    assert b"Not interested" in refused.value.smtp_error
    assert not any(b"buy now" in raw for _, raw in folder(uploaded, "bob@example.test", "INBOX"))


def test_redirect_remote_goes_to_queue(uploaded: RunningServer) -> None:
    send(uploaded, "to remote")
    store = uploaded.open_store()
    try:
        items = store.read(queue.list_queue)
        # The queue runner may already have tried it (no such domain here); the entry stays.
        assert any(any(r.address == "carol@elsewhere.test" for r in i.recipients) for i in items)
    finally:
        store.close()
    assert not any(b"to remote" in raw for _, raw in folder(uploaded, "bob@example.test", "INBOX"))


def test_redirect_local_lands_in_that_inbox(uploaded: RunningServer) -> None:
    send(uploaded, "to alice")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        got = [raw for _, raw in folder(uploaded, "alice@example.test", "INBOX") if b"to alice" in raw]
        if got:
            break
        time.sleep(0.1)
    assert got and got[0].startswith(b"Return-Path: <dave@sender.test>\r\nDelivered-To: bob@example.test\r\n")
    assert any(b"to alice" in raw for _, raw in folder(uploaded, "bob@example.test", "INBOX"))  # :copy
