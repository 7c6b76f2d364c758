"""Group commit isolation, UID allocation under two processes, cross-process changes."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from postvak.store import accounts, errors, mailboxes, messages, open_store, schema
from tests.store.helpers import make_raw

N = 40


def test_write_batch_isolates_failing_jobs(alice) -> None:
    store, acct, inbox = alice
    heard = []
    store.changes.subscribe(acct.id, heard.extend)
    jobs = [
        (messages.ingest, (acct.id, inbox.id, make_raw(1)), {}),
        (mailboxes.create_mailbox, (acct.id, "Sent/child"), {}),  # Forbidden
        (messages.ingest, (acct.id, inbox.id, make_raw(2)), {}),
        (messages.ingest, (acct.id, 99999, make_raw(3)), {}),  # NotFound after partial work
    ]
    results = store.write_batch(jobs)
    assert results[0].uid == 1 and results[2].uid == 2
    assert isinstance(results[1], errors.Forbidden) and isinstance(results[3], errors.NotFound)
    assert store.read(mailboxes.status, inbox.id).messages == 2
    assert [c.uid for c in heard if c.kind == "new"] == [1, 2]


def _duplicate_domain(tx) -> None:
    """A job that fails inside the database (on PostgreSQL this aborts the transaction
    until its savepoint is rolled back)."""
    tx.conn.execute(schema.domains.insert().values(name="example.test"))


def test_write_batch_rolls_back_a_database_error_to_its_savepoint(alice) -> None:
    store, acct, inbox = alice
    jobs = [
        (messages.ingest, (acct.id, inbox.id, make_raw(1)), {}),
        (_duplicate_domain, (), {}),
        (messages.ingest, (acct.id, inbox.id, make_raw(2)), {}),
    ]
    results = store.write_batch(jobs)
    assert isinstance(results[1], IntegrityError)
    assert [results[0].uid, results[2].uid] == [1, 2]
    assert store.read(mailboxes.status, inbox.id).messages == 2


def test_writer_keeps_its_connection_and_replaces_a_broken_one(alice) -> None:
    store, acct, inbox = alice
    writer = store.writer()
    try:
        first = writer.write_batch([(messages.ingest, (acct.id, inbox.id, make_raw(1)), {})])
        kept = writer._conn
        second = writer.write_batch([(messages.ingest, (acct.id, inbox.id, make_raw(2)), {}), (_duplicate_domain, (), {})])
        assert writer._conn is kept  # a failing job is not a failing batch
        assert first[0].uid == 1 and second[0].uid == 2 and isinstance(second[1], IntegrityError)
        kept.connection.dbapi_connection.close()  # the database went away under it
        with pytest.raises(DBAPIError):
            writer.write_batch([(messages.ingest, (acct.id, inbox.id, make_raw(3)), {})])
        assert writer._conn is None
        third = writer.write_batch([(messages.ingest, (acct.id, inbox.id, make_raw(4)), {})])
        assert third[0].uid == 3 and writer._conn is not None
    finally:
        writer.close()
    assert store.read(mailboxes.status, inbox.id).messages == 3


def test_change_callbacks_never_break_the_writer(alice) -> None:
    store, acct, inbox = alice
    got = []

    def bad(_changes):
        raise RuntimeError("listener bug")

    store.changes.subscribe(acct.id, bad)
    unsub = store.changes.subscribe(acct.id, got.extend)
    store.write(messages.ingest, acct.id, inbox.id, make_raw(1))
    unsub()
    store.write(messages.ingest, acct.id, inbox.id, make_raw(2))
    assert [c.uid for c in got] == [1]


def _worker(url: str, blob_dir: str, account_id: int, mailbox_id: int, tag: int, out) -> None:
    store = open_store(url, blob_backend="files", blob_dir=blob_dir)
    uids = []
    try:
        for i in range(N):
            uids.append(store.write(messages.ingest, account_id, mailbox_id, make_raw(tag * 1000 + i)).uid)
    finally:
        store.close()
    out.put((tag, uids))


def test_two_process_uid_race(store, tmp_store_url: str, tmp_path: Path) -> None:
    store.write(accounts.add_domain, "example.test")
    acct = store.write(accounts.add_account, "alice@example.test", "h")
    inbox = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(tmp_store_url, str(tmp_path / "blobs"), acct.id, inbox.id, t, out))
             for t in (1, 2)]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    all_uids = results[1] + results[2]
    assert len(set(all_uids)) == 2 * N and sorted(all_uids) == list(range(1, 2 * N + 1))
    for uids in results.values():
        assert uids == sorted(uids)
    assert store.read(mailboxes.status, inbox.id).messages == 2 * N


def _notifier(url: str, blob_dir: str, account_id: int, mailbox_id: int) -> None:
    store = open_store(url, blob_backend="files", blob_dir=blob_dir)
    try:
        store.write(messages.ingest, account_id, mailbox_id, make_raw(7))
    finally:
        store.close()


def test_cross_process_change_notification(store, tmp_store_url: str, tmp_path: Path) -> None:
    store.write(accounts.add_domain, "example.test")
    acct = store.write(accounts.add_account, "alice@example.test", "h")
    inbox = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
    heard = threading.Event()
    got = []

    def on_change(changes):
        got.extend(changes)
        heard.set()

    store.changes.subscribe(acct.id, on_change)
    ctx = mp.get_context("spawn")
    p = ctx.Process(target=_notifier, args=(tmp_store_url, str(tmp_path / "blobs"), acct.id, inbox.id))
    p.start()
    p.join(60)
    assert p.exitcode == 0
    started = time.monotonic()
    assert heard.wait(1.0), "no change heard within a second of the other process's commit"
    assert time.monotonic() - started < 1.0
    assert [(c.kind, c.uid) for c in got] == [("new", 1)]
    # Our own writes are not echoed back by the listener (only published once, locally).
    got.clear()
    heard.clear()
    store.write(messages.ingest, acct.id, inbox.id, make_raw(8))
    time.sleep(0.5)
    assert [(c.kind, c.uid) for c in got] == [("new", 2)]
    assert os.getpid()
