"""End to end over HTTPS with the real client pyactivesync (speaks 16.1) against
`postvak serve`: provision, folders, initial sync of 1,000 messages, a delta after
an SMTP delivery, Ping woken by it, flags both ways with IMAP, attachment fetch,
send, move, search and out-of-office."""

from __future__ import annotations

import imaplib
import smtplib
import threading
import time
from email.message import EmailMessage

import pytest
from pyactivesync import Client, EmailChange, FolderType, OofState

USER, PASSWORD = "alice@example.test", "alice-secret-1"


def client(server, device: str = "dev1") -> Client:
    return Client(f"127.0.0.1:{server.port('https')}", USER, PASSWORD, device_id=device, verify_ssl=False,
                  timeout=30)


def _message(i: int, subject: str | None = None) -> bytes:
    return (f"From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: {subject or f'note {i}'}\r\n"
            f"Message-ID: <n{i}@example.test>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n"
            f"body of note {i} zebrafish\r\n").encode()


@pytest.fixture(scope="module")
def filled(mail_server):
    from postvak.store import accounts, mailboxes, messages

    store = mail_server.open_store()
    try:
        account = store.read(accounts.get_account, USER)
        inbox = store.read(mailboxes.get_mailbox, account.id, "INBOX")
        store.write_batch([(messages.ingest, (account.id, inbox.id, _message(i)), {}) for i in range(1000)])
    finally:
        store.close()
    return mail_server


def _full_sync(c: Client, folder: str, key: str = "0") -> tuple[str, list]:
    items = []
    r = c.sync_folder(folder, key)
    key = r.sync_key
    while True:
        r = c.sync_folder(folder, key, window_size=200)
        items += r.added
        key = r.sync_key
        if not r.more_available:
            return key, items


def _imap(server) -> imaplib.IMAP4_SSL:
    imap = imaplib.IMAP4_SSL("127.0.0.1", server.port("imaps"), ssl_context=server.client_tls_context())
    imap.login(USER, PASSWORD)
    return imap


def _smtp_deliver(server, subject: str, attachment: bytes | None = None) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "carol@elsewhere.test", USER, subject
    msg.set_content("hello from smtp")
    if attachment is not None:
        msg.add_attachment(attachment, maintype="application", subtype="octet-stream", filename="data.bin")
    with smtplib.SMTP("127.0.0.1", server.port("smtp"), timeout=30) as s:
        s.sendmail("carol@elsewhere.test", [USER], msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))


def test_provision_folders_and_initial_sync(filled):
    with client(filled) as c:
        key = c.provision()
        assert key and key != "0"
        folders = c.list_folders()
        types = [f.type for f in folders]
        for t in (FolderType.INBOX, FolderType.DRAFTS, FolderType.DELETED_ITEMS, FolderType.SENT_ITEMS):
            assert types.count(t) == 1
        inbox = next(f for f in folders if f.type == FolderType.INBOX)
        started = time.monotonic()
        _, items = _full_sync(c, inbox.id)
        assert len(items) == 1000
        assert len({i.server_id for i in items}) == 1000
        assert all(len(i.server_id) <= 64 for i in items)
        assert time.monotonic() - started < 60
        sample = items[0].fields
        assert sample["Email.DateReceived"].endswith(".000Z")
        assert "Email.Subject" in sample


def test_delta_ping_and_flags_both_ways(filled):
    with client(filled, "dev2") as c:
        c.provision()
        inbox = next(f for f in c.list_folders() if f.type == FolderType.INBOX)
        key, items = _full_sync(c, inbox.id)
        result = {}

        def park() -> None:
            result["ping"] = c.ping(inbox.id, heartbeat=120, timeout=60)

        t = threading.Thread(target=park)
        t.start()
        time.sleep(1.0)
        sent_at = time.monotonic()
        _smtp_deliver(filled, "pushed message")
        t.join(30)
        assert result["ping"].status == "2" and inbox.id in result["ping"].changed_folder_ids
        assert time.monotonic() - sent_at < 5
        r = c.sync_folder(inbox.id, key)
        assert [a.fields["Email.Subject"] for a in r.added] == ["pushed message"]
        new_id, key = r.added[0].server_id, r.sync_key
        # device -> IMAP: read and flagged
        res = c.apply_email_changes(inbox.id, key, [EmailChange(server_id=new_id, read=True, flagged=True)])
        key = res.sync_key
        uid = new_id.split(":")[1]
        imap = _imap(filled)
        try:
            imap.select("INBOX")
            _, data = imap.uid("FETCH", uid, "(FLAGS)")
            assert b"\\Seen" in data[0] and b"\\Flagged" in data[0]
            # IMAP -> device: unflag, then the device sees a Change
            imap.uid("STORE", uid, "-FLAGS", "(\\Flagged)")
            r = c.sync_folder(inbox.id, key)
            assert [ch.server_id for ch in r.changed] == [new_id]
            assert r.changed[0].fields.get("Email.Read") == "1"
            key = r.sync_key
            # device delete -> gone from INBOX for IMAP (moved to Trash)
            res = c.apply_email_changes(inbox.id, key, [EmailChange(server_id=new_id, delete=True)])
            key = res.sync_key
            _, data = imap.uid("SEARCH", "UID", uid)
            imap.select("INBOX")
            _, data = imap.uid("SEARCH", "UID", uid)
            assert data[0].split() == [] or uid.encode() not in data[0].split()
            # IMAP delete -> device gets a Delete
            victim = items[0].server_id
            imap.uid("STORE", victim.split(":")[1], "+FLAGS", "(\\Deleted)")
            imap.expunge()
        finally:
            imap.logout()
        r = c.sync_folder(inbox.id, key)
        assert victim in r.deleted


def test_attachment_fetch_move_and_search(filled):
    payload = bytes(range(256)) * 10
    _smtp_deliver(filled, "with attachment", payload)
    with client(filled, "dev3") as c:
        c.provision()
        folders = c.list_folders()
        inbox = next(f for f in folders if f.type == FolderType.INBOX)
        found = c.search_mailbox(inbox.id, free_text="attachment")
        hit = next(h for h in found if h.get("Email.Subject") == "with attachment")
        item = c.fetch_item(inbox.id, hit["AirSync.ServerId"])
        assert item.attachments and item.attachments[0].display_name == "data.bin"
        assert c.fetch_attachment(item.attachments[0].file_reference) == payload
        box = c.create_folder("Archive")
        new_id = c.move_item(hit["AirSync.ServerId"], inbox.id, box.id)
        assert new_id.startswith(box.id + ":")
        _, moved = _full_sync(c, box.id)
        assert [m.fields["Email.Subject"] for m in moved] == ["with attachment"]
        assert c.search_gal("bob")[0].email_address == "bob@example.test"


def test_send_mail_and_oof(filled):
    with client(filled, "dev4") as c:
        c.provision()
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = USER, "bob@example.test", "from the phone"
        msg["Bcc"] = "alice@example.test"
        msg.set_content("sent over activesync")
        c.send_mail(msg)
        c.set_oof(OofState.ENABLED, reply_message="Away until Monday")
        oof = c.get_oof()
        assert oof.state == OofState.ENABLED
        assert oof.messages[0].reply_message == "Away until Monday"
    from postvak.store import accounts, mailboxes, messages, sieve

    store = filled.open_store()
    try:
        bob = store.read(accounts.get_account, "bob@example.test")
        inbox = store.read(mailboxes.get_mailbox, bob.id, "INBOX")
        snap = store.read(messages.snapshot, inbox.id)
        assert snap.messages
        raw = store.blobs.open(snap.messages[-1].blob_sha).read()
        assert b"from the phone" in raw and b"Bcc:" not in raw
        alice = store.read(accounts.get_account, USER)
        sent = store.read(mailboxes.get_special, alice.id, "\\Sent")
        assert store.read(messages.snapshot, sent.id).messages
        script = store.read(sieve.active_script, alice.id)
        assert "vacation" in script.content and "Away until Monday" in script.content
    finally:
        store.close()
