"""Threading (RFC 5256 REFERENCES grouping -> thread_id)."""

from __future__ import annotations

from postvak.store import mailboxes, messages
from tests.store.helpers import make_raw


def thread_of(store, box_id: int, uid: int) -> int:
    return store.read(messages.fetch_meta, box_id, [uid])[0].thread_id


def test_replies_join_and_threads_merge(alice) -> None:
    store, acct, inbox = alice
    sent = store.read(mailboxes.get_special, acct.id, "\\Sent")
    store.write(messages.ingest, acct.id, inbox.id, make_raw(1, subject="Plan", msgid="a@x"))
    store.write(messages.ingest, acct.id, sent.id, make_raw(2, subject="Re: Plan", msgid="b@x", refs="<a@x>"))
    store.write(messages.ingest, acct.id, inbox.id, make_raw(3, subject="Other", msgid="c@x"))
    assert thread_of(store, inbox.id, 1) == thread_of(store, sent.id, 1)  # across folders
    assert thread_of(store, inbox.id, 2) != thread_of(store, inbox.id, 1)
    # A reply seen before its parent: the parent joins the reply's thread.
    store.write(messages.ingest, acct.id, inbox.id, make_raw(4, subject="Re: Late", msgid="e@x", refs="<d@x>"))
    store.write(messages.ingest, acct.id, inbox.id, make_raw(5, subject="Late", msgid="d@x"))
    assert thread_of(store, inbox.id, 3) == thread_of(store, inbox.id, 4)
    # A message referencing two threads merges them.
    store.write(messages.ingest, acct.id, inbox.id, make_raw(6, subject="Re: both", msgid="f@x", refs="<a@x> <c@x>"))
    t = thread_of(store, inbox.id, 5)
    assert thread_of(store, inbox.id, 1) == thread_of(store, inbox.id, 2) == t


def test_reply_without_references_joins_by_base_subject(alice) -> None:
    store, acct, inbox = alice
    store.write(messages.ingest, acct.id, inbox.id, make_raw(1, subject="Lunch friday", msgid="l1@x"))
    store.write(messages.ingest, acct.id, inbox.id, make_raw(2, subject="RE: Lunch friday", msgid="l2@x"))
    store.write(messages.ingest, acct.id, inbox.id, make_raw(3, subject="Lunch friday", msgid="l3@x"))
    assert thread_of(store, inbox.id, 1) == thread_of(store, inbox.id, 2)
    assert thread_of(store, inbox.id, 3) != thread_of(store, inbox.id, 1)  # not a reply: its own thread
