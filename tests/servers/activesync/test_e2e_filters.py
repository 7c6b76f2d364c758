"""End to end on `postvak serve` with pyactivesync: MoveItems into and out of Spam
trains the filter (the next similar SMTP message lands accordingly), and an
out-of-office set over ActiveSync answers an outside sender exactly once."""

from __future__ import annotations

import smtplib

from pyactivesync import Client, OofState

from postvak.store import accounts, mailboxes, messages
from tests.servers.core.test_training import COLLEAGUE, HAMMY, PROMO, SPAMMY
from tests.support.server import RunningServer

USER, PASSWORD = "alice@example.test", "alice-secret-1"


def client(server: RunningServer, device: str) -> Client:
    return Client(f"127.0.0.1:{server.port('https')}", USER, PASSWORD, device_id=device, verify_ssl=False,
                  timeout=30)


def send(server: RunningServer, sender: str, subject: str, body: str) -> None:
    raw = (f"From: {sender}\r\nTo: {USER}\r\nSubject: {subject}\r\nDate: Mon, 3 Jun 2024 10:00:00 +0000\r\n"
           f"Message-ID: <{subject.replace(' ', '-')}.{len(body)}@x.test>\r\n\r\n{body}\r\n").encode()
    with smtplib.SMTP("127.0.0.1", server.port("smtp"), timeout=30) as smtp:
        smtp.sendmail(sender, [USER], raw)


def all_items(c: Client, folder: str) -> list:
    key = c.sync_folder(folder, "0").sync_key
    items = []
    while True:
        r = c.sync_folder(folder, key, window_size=100)
        items += r.added
        key = r.sync_key
        if not r.more_available:
            return items


def subjects(server: RunningServer, special: str | None) -> list[str]:
    store = server.open_store()
    try:
        acct = store.read(accounts.get_account, USER)
        box = store.read(mailboxes.get_special, acct.id, special) if special else \
            store.read(mailboxes.get_mailbox, acct.id, "INBOX")
        snap = store.read(messages.snapshot, box.id)
        metas = store.read(messages.fetch_meta, box.id, [m.uid for m in snap.messages])
        heads = [store.blobs.open(m.blob_sha).read().split(b"\r\n\r\n")[0] for m in metas]
        return [line[9:].decode() for h in heads for line in h.split(b"\r\n") if line.startswith(b"Subject: ")]
    finally:
        store.close()


def test_moveitems_into_and_out_of_spam_train_the_filter(mail_server: RunningServer) -> None:
    for i in range(10):
        send(mail_server, PROMO, f"WIN offer {i}", f"{SPAMMY} number {i}")
    with client(mail_server, "trainer") as c:
        c.provision()
        folders = c.list_folders()
        inbox = next(f for f in folders if f.name.lower() == "inbox")
        spam = next(f for f in folders if f.name == "Spam")
        assert all_items(c, spam.id) == []  # untrained: nothing was spam yet
        for item in all_items(c, inbox.id):  # trained as spam
            c.move_item(item.server_id, inbox.id, spam.id)
        for i in range(10):
            send(mail_server, COLLEAGUE, f"work {i}", f"{HAMMY} item {i}")
        moved = [c.move_item(item.server_id, inbox.id, spam.id) for item in all_items(c, inbox.id)]  # misfiled...
        for new_id in moved:  # ...and rescued: ham, the spam training undone
            c.move_item(new_id, spam.id, inbox.id)
    send(mail_server, PROMO, "WIN offer again", SPAMMY + " today")
    send(mail_server, COLLEAGUE, "work again", HAMMY + " today")
    assert "WIN offer again" in subjects(mail_server, "\\Junk")
    assert "work again" in subjects(mail_server, None)


def test_oof_over_activesync_replies_once(mail_server: RunningServer) -> None:
    # The sender is local so the reply is kept where the test can read it: to a remote
    # sender it would be queued and, in this sandbox without DNS, failed at once.
    sender = "bob@example.test"
    with client(mail_server, "oof") as c:
        c.provision()
        c.set_oof(OofState.ENABLED, reply_message="Away until Monday")
        assert c.get_oof().state == OofState.ENABLED

    def replies() -> list[bytes]:
        store = mail_server.open_store()
        try:
            bob = store.read(accounts.get_account, sender)
            box = store.read(mailboxes.get_mailbox, bob.id, "INBOX")
            raws = [store.blobs.open(m.blob_sha).read() for m in store.read(messages.snapshot, box.id).messages]
            return [r for r in raws if b"Auto-Submitted: auto-replied" in r]
        finally:
            store.close()

    send(mail_server, sender, "are you there", "a question about the project")
    (reply,) = replies()
    assert b"Away until Monday" in reply and b"bob@example.test" in reply.split(b"\r\n\r\n")[0]
    send(mail_server, sender, "are you there still", "another question")
    assert len(replies()) == 1  # RFC 5230 4.2: once per sender per period
    with client(mail_server, "oof") as c:
        c.set_oof(OofState.DISABLED)
        assert c.get_oof().state == OofState.DISABLED
    send(mail_server, "carol@elsewhere.test", "still away?", "hello")  # a new sender: nothing sent now
    last = [line for line in mail_server.log_since_start().splitlines() if "event=delivery source=smtp" in line][-1]
    assert "sent=0" in last
