"""Helpers for end-to-end POP3 tests against a real `postvak serve`."""

from __future__ import annotations

import os
import random
from typing import Any

from postvak.store import accounts, mailboxes, messages


def sample_message(i: int, size: int = 0) -> bytes:
    filler = b"".join(b"line %d of message %d\r\n" % (n, i) for n in range(size // 24))
    return (b"From: sender@example.test\r\nTo: alice@example.test\r\nSubject: message %d\r\n"
            b"Message-ID: <e2e-%d@example.test>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n"
            b"hello %d\r\n" % (i, i, i)) + filler


def tricky_messages() -> list[bytes]:
    """Dots at line starts, long lines, 8-bit text, a binary attachment (CRLF-safe bytes)."""
    rng = random.Random(7)
    binary = bytes(rng.randrange(256) for _ in range(30000)).replace(b"\r", b"").replace(b"\n", b"\r\n")
    head = b"From: s@example.test\r\nTo: alice@example.test\r\nMessage-ID: <tricky-%d@x>\r\nSubject: t%d\r\n"
    return [
        head % (1, 1) + b"\r\n.\r\n..\r\n.leading dot\r\n...three\r\n. space\r\nend\r\n",
        head % (2, 2) + b"\r\n" + b"A" * 20000 + b"\r\n" + b"." + b"B" * 5000 + b"\r\n",
        head % (3, 3) + b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + "Grüße aus Köln — ½ € ✓\r\n".encode() * 50,
        head % (4, 4) + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
        b"Content-Type: text/plain\r\n\r\nsee attachment\r\n--XX\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: binary\r\n\r\n" + binary + b"\r\n--XX--\r\n",
        head % (5, 5) + b"\r\n" + os.urandom(0) + b"last line without dot\r\n.",  # no final CRLF
    ]


def deliver(store: Any, address: str, raws: list[bytes]) -> None:
    account = store.read(accounts.get_account, address)
    inbox = store.read(mailboxes.get_mailbox, account.id, "INBOX")
    for start in range(0, len(raws), 200):
        store.write_batch([(messages.ingest, (account.id, inbox.id, raw), {}) for raw in raws[start:start + 200]])


def box_bodies(store: Any, address: str, name: str) -> list[bytes]:
    account = store.read(accounts.get_account, address)
    box = store.read(mailboxes.get_mailbox, account.id, name)
    return [store.blobs.read(m.blob_sha) for m in store.read(messages.snapshot, box.id).messages]


def clear(store: Any, address: str, name: str) -> None:
    account = store.read(accounts.get_account, address)
    box = store.read(mailboxes.get_mailbox, account.id, name)
    uids = [m.uid for m in store.read(messages.snapshot, box.id).messages]
    if uids:
        store.write(messages.set_flags, box.id, uids, "add", {"\\Deleted"})
        store.write(messages.expunge, box.id)
