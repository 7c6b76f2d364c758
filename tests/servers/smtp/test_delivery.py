"""servers/core/delivery.py on a real store and a real StoreRunner: one commit for
every recipient, quota purge of Trash then Spam, spam hint files into Spam."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from postvak.servers.core.context import ServerContext
from postvak.servers.core.delivery import FULL, OK, Delivery
from postvak.servers.core.logs import EventLogger
from postvak.servers.core.runner import StoreRunner
from postvak.store import accounts, mailboxes, messages, open_store, queue

RAW = b"From: a@remote.test\r\nTo: u@example.test\r\nSubject: hi\r\n\r\nbody\r\n"


@pytest.fixture()
def env(tmp_path: Path):
    store = open_store(f"sqlite:///{tmp_path}/s.db", blob_dir=str(tmp_path / "blobs"))
    store.migrate()
    store.write(accounts.add_domain, "example.test")
    store.write(accounts.add_account, "u@example.test", "x")
    store.write(accounts.add_account, "v@example.test", "x", 2000)
    loop = asyncio.new_event_loop()
    runner = StoreRunner(store, loop)
    ctx = ServerContext(settings=None, store=store, runner=runner, auth=None, changes=None, tls=None,
                        log=EventLogger(), loop=loop, hostname="mx.example.test")
    try:
        yield store, loop, Delivery(ctx)
    finally:
        runner.close()
        loop.close()
        store.close()


def count(store, address: str, special: str | None = None) -> int:
    acct = store.read(accounts.get_account, address)
    if special:
        box = store.read(mailboxes.get_special, acct.id, special)
    else:
        box = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
    return len(store.read(messages.snapshot, box.id).messages)


def test_one_commit_for_every_recipient_and_queue(env) -> None:
    store, loop, delivery = env
    rcpts = store.read(accounts.resolve_recipient, "u@example.test") + store.read(
        accounts.resolve_recipient, "v@example.test")
    outcome = loop.run_until_complete(delivery.deliver_all("a@remote.test", rcpts, RAW, source="test",
                                                           remote=["x@far.test"]))
    assert [r.status for r in outcome.results] == [OK, OK]
    assert count(store, "u@example.test") == 1 and count(store, "v@example.test") == 1
    item = store.read(queue.get, outcome.queue_id)
    assert [r.address for r in item.recipients] == ["x@far.test"]


def test_same_account_twice_gets_one_copy(env) -> None:
    store, loop, delivery = env
    rcpt = store.read(accounts.resolve_recipient, "u@example.test")
    results = loop.run_until_complete(delivery.deliver("a@remote.test", rcpt + rcpt, RAW, source="test"))
    assert len(results) == 1 and count(store, "u@example.test") == 1


def test_spam_hint_files_into_spam(env) -> None:
    store, loop, delivery = env
    rcpt = store.read(accounts.resolve_recipient, "u@example.test")
    loop.run_until_complete(delivery.deliver("a@remote.test", rcpt, RAW, source="test", spam_hint="spam"))
    assert count(store, "u@example.test", "\\Junk") == 1 and count(store, "u@example.test") == 0


def test_quota_purges_trash_then_refuses(env) -> None:
    store, loop, delivery = env
    acct = store.read(accounts.get_account, "v@example.test")
    trash = store.read(mailboxes.get_special, acct.id, "\\Trash")
    big = RAW + b"x" * 1500 + b"\r\n"
    store.write(messages.ingest, acct.id, trash.id, big)
    rcpt = store.read(accounts.resolve_recipient, "v@example.test")
    results = loop.run_until_complete(delivery.deliver("a@remote.test", rcpt, big, source="test"))
    assert results[0].status == OK and results[0].purged
    assert count(store, "v@example.test", "\\Trash") == 0
    results = loop.run_until_complete(delivery.deliver("a@remote.test", rcpt, big, source="test"))
    assert results[0].status == FULL and count(store, "v@example.test") == 1
