"""THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256), on rows and through a real store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap import search as sk
from postvak.servers.core.runner import StoreRunner
from postvak.servers.imap.thread import ordered_subject, references, renumber, thread_uids
from postvak.store import accounts, mailboxes, messages, open_store
from postvak.store.imapsearch import ThreadRow

T0 = datetime(2025, 11, 1, tzinfo=UTC)
ALL = sk.All()


def row(uid, subject, mid=None, refs=(), minute=None):
    return ThreadRow(uid, T0 + timedelta(minutes=uid if minute is None else minute), subject,
                     mid or f"m{uid}", tuple(refs), None)


def wire(roots) -> bytes:
    return fmt.thread_response(roots).rstrip(b"\r\n")


def test_ordered_subject() -> None:
    rows = [row(1, "Hello"), row(2, "other"), row(3, "Re: hello"), row(4, "re: HELLO", minute=0), row(5, "Fwd: other")]
    # threads by the date of their first message; the first is the parent of the rest
    assert wire(ordered_subject(rows)) == b"* THREAD (4 (1)(3))(2 5)"


def test_references_chain_and_branches() -> None:
    rows = [
        row(1, "plan", "a"),
        row(2, "Re: plan", "b", ["a"]),
        row(3, "Re: plan", "c", ["a", "b"]),
        row(4, "Re: plan", "d", ["a"]),
        row(5, "lunch", "e"),
        row(6, "Re: lunch", "f", ["e"]),
    ]
    assert wire(references(rows)) == b"* THREAD (1 (2 3)(4))(5 6)"


def test_references_missing_parent_and_dummies() -> None:
    # 2 and 3 reply to a message we do not have: a dummy parent holds them (RFC 5256 4: "()")
    rows = [row(1, "x", "a"), row(2, "Re: lost", "b", ["zz"]), row(3, "Re: lost", "c", ["zz"])]
    assert wire(references(rows)) == b"* THREAD (1)((2)(3))"
    # a dummy with one child at the root is replaced by the child
    assert wire(references([row(1, "Re: y", "b", ["zz", "yy"])])) == b"* THREAD (1)"


def test_references_subject_merge_and_loops() -> None:
    rows = [
        row(1, "Budget", "a"),
        row(2, "Re: Budget", "b"),  # no references: joins by subject as a reply (step 5.C)
        row(3, "budget", "c"),  # two non-replies with one subject: a dummy holds both
        row(4, "loop", "d", ["e"]),
        row(5, "loop2", "e", ["d"]),  # a reference loop is not followed
        row(6, "dup", "a"),  # duplicate Message-ID: threaded on its own
    ]
    assert wire(references(rows)) == b"* THREAD ((1 2)(3))(5 4)(6)"  # 4 is threaded first under its reference e (5)


def test_references_orders_by_date() -> None:
    rows = [row(1, "late", "a", minute=50), row(2, "Re: late", "b", ["a"], minute=10), row(3, "early", "c", minute=20)]
    # the thread of 1 starts at 1's date (50) even though its reply is older
    assert wire(references(rows)) == b"* THREAD (3)(1 2)"


def test_renumber() -> None:
    roots = references([row(10, "a", "a"), row(20, "Re: a", "b", ["a"]), row(30, "c", "c")])
    seqs = {10: 1, 20: 2}
    assert wire(renumber(roots, seqs.get)) == b"* THREAD (1 2)"


@pytest.fixture()
def env(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/s.db", blob_dir=str(tmp_path / "blobs"))
    store.migrate()
    store.write(accounts.add_domain, "example.test")
    acct = store.write(accounts.add_account, "alice@example.test", "hash")
    inbox = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
    mails = [("Plan", "a", ""), ("Re: Plan", "b", "<a>"), ("Other", "c", ""), ("Re: Plan", "d", "<a> <b>"),
             ("Re: lost", "e", "<gone>")]
    for i, (subject, mid, refs) in enumerate(mails, 1):
        head = f"From: x@y.test\r\nSubject: {subject}\r\nMessage-ID: <{mid}>\r\nDate: Sat, 1 Nov 2025 10:0{i}:00 +0000\r\n"
        head += f"References: {refs}\r\n" if refs else ""
        store.write(messages.ingest, acct.id, inbox.id, (head + "\r\nbody\r\n").encode())
    loop = asyncio.new_event_loop()
    runner = StoreRunner(store, loop)
    yield SimpleNamespace(runner=runner), (inbox.id, [1, 2, 3, 4, 5]), loop
    runner.close()
    loop.close()
    store.close()


def test_thread_through_the_store(env) -> None:
    ctx, view, loop = env
    run = lambda alg, key=ALL: wire(loop.run_until_complete(thread_uids(ctx, view, alg, key)))  # noqa: E731
    assert run("REFERENCES") == b"* THREAD (1 2 4)(3)(5)"
    assert run("ORDEREDSUBJECT") == b"* THREAD (1 (2)(4))(3)(5)"
    assert run("REFERENCES", sk.Text("subject", "plan")) == b"* THREAD (1 2 4)"
