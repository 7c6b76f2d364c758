"""store/recent.py: the per-mailbox \\Recent mark (RFC 3501 2.3.2), claimed by one session only."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from postvak.store import accounts, mailboxes, messages, open_store, recent
from postvak.store.errors import NotFound
from postvak.store.migrate import upgrade
from tests.store.helpers import make_raw

N = 30


def test_claim_takes_each_uid_once(alice) -> None:
    store, acct, inbox = alice
    assert inbox.recent_uid == 0
    for i in range(3):
        store.write(messages.ingest, acct.id, inbox.id, make_raw(i))
    assert store.read(recent.unclaimed, inbox.id) == 3
    assert store.write(recent.claim, inbox.id, 2) == (0, 2)
    assert store.read(mailboxes.status, inbox.id).recent_uid == 2
    assert store.read(recent.unclaimed, inbox.id) == 1
    assert store.write(recent.claim, inbox.id, 2) is None  # already someone's
    assert store.write(recent.claim, inbox.id, 1) is None  # the mark never goes back
    assert store.write(recent.claim, inbox.id, 3) == (2, 3)
    assert store.read(recent.unclaimed, inbox.id) == 0
    with pytest.raises(NotFound):
        store.write(recent.claim, 99999, 1)


def test_copied_moved_and_expunged_messages(alice) -> None:
    store, acct, inbox = alice
    work = store.write(mailboxes.create_mailbox, acct.id, "Work")
    for i in range(3):
        store.write(messages.ingest, acct.id, inbox.id, make_raw(i))
    store.write(recent.claim, inbox.id, 3)
    # RFC 3501 6.4.7 / RFC 6851: a copy or move arrives as a new message in its target.
    store.write(messages.copy, inbox.id, [1], work.id)
    store.write(messages.move, inbox.id, [2], work.id)
    assert store.read(recent.unclaimed, work.id) == 2
    assert store.read(recent.unclaimed, inbox.id) == 0
    store.write(messages.set_flags, work.id, [2], "add", ["\\Deleted"])
    store.write(messages.expunge, work.id, None)
    assert store.read(recent.unclaimed, work.id) == 1  # only messages that exist count


def _claimer(url: str, blob_dir: str, mailbox_id: int, out) -> None:
    store = open_store(url, blob_backend="files", blob_dir=blob_dir)
    got = []
    try:
        for top in range(1, N + 1):
            span = store.write(recent.claim, mailbox_id, top)
            if span is not None:
                got.append(span)
    finally:
        store.close()
    out.put(got)


def test_two_processes_never_claim_the_same_uid(store, tmp_store_url: str, tmp_path: Path) -> None:
    store.write(accounts.add_domain, "example.test")
    acct = store.write(accounts.add_account, "alice@example.test", "h")
    inbox = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
    for i in range(N):
        store.write(messages.ingest, acct.id, inbox.id, make_raw(i))
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_claimer, args=(tmp_store_url, str(tmp_path / "blobs"), inbox.id, out))
             for _ in range(2)]
    for p in procs:
        p.start()
    spans = [span for _ in procs for span in out.get(timeout=120)]
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    claimed = [uid for low, top in spans for uid in range(low + 1, top + 1)]
    assert sorted(claimed) == list(range(1, N + 1))  # every uid once, none twice
    assert store.read(mailboxes.status, inbox.id).recent_uid == N


def test_upgrade_counts_existing_messages_as_seen(tmp_store_url: str) -> None:
    """Migration 0004: mailboxes that exist at the upgrade start with nothing \\Recent."""
    engine = create_engine(tmp_store_url)
    try:
        upgrade(engine, "0003")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO domains (id, name) VALUES (1, 'example.test')"))
            conn.execute(text(
                "INSERT INTO accounts (id, domain_id, address, password_hash, used_bytes, created) "
                "VALUES (1, 1, 'a@example.test', 'h', 0, CURRENT_TIMESTAMP)"))
            for mid, uidnext in ((1, 1), (2, 43)):
                conn.execute(text(
                    "INSERT INTO mailboxes (id, account_id, name, system, subscribed, uidvalidity, uidnext, "
                    "highestmodseq, messages, unseen, size) "
                    "VALUES (:id, 1, :name, false, true, 7, :next, 1, 0, 0, 0)"), {"id": mid, "name": f"m{mid}",
                                                                                  "next": uidnext})
        upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, recent_uid FROM mailboxes ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, 0), (2, 42)]
    finally:
        engine.dispose()
