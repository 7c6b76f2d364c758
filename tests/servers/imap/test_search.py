"""servers/imap/search.py: session-only keys (sequence numbers, $, \\Recent, UID) resolved
against the session's SelectedView, the rest evaluated in a real store through a real StoreRunner."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from postvak.protocols.imap import search as sk
from postvak.protocols.imap.cursor import Cursor
from postvak.protocols.imap.limits import Limits
from postvak.servers.core.runner import StoreRunner
from postvak.servers.imap import search
from postvak.servers.imap.errors import Bad
from postvak.servers.imap.selected import SelectedView
from postvak.store import accounts, mailboxes, messages, open_store


def key(text: str) -> sk.SearchKey:
    return sk.parse_program(Cursor(text.encode(), {}, Limits(), utf8=True))


def raw(i: int, subject: str, body: str) -> bytes:
    return (f"From: user{i}@remote.test\r\nTo: alice@example.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <m{i}@remote.test>\r\nDate: Fri, 28 Nov 2025 10:00:00 +0000\r\n\r\n{body}\r\n").encode()


@pytest.fixture()
def env(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/s.db", blob_dir=str(tmp_path / "blobs"))
    store.migrate()
    store.write(accounts.add_domain, "example.test")
    acct = store.write(accounts.add_account, "alice@example.test", "hash")
    inbox = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
    for i in range(1, 11):  # UIDs 1..10, then 2, 4, 6 expunged: view holds 1 3 5 7 8 9 10
        flags = frozenset({"\\Seen"} if i % 2 else {"\\Deleted"} if i in (2, 4, 6) else set())
        store.write(messages.ingest, acct.id, inbox.id, raw(i, f"subject {i}", "even" if i % 2 == 0 else "odd"),
                    flags=flags)
    store.write(messages.expunge, inbox.id)
    loop = asyncio.new_event_loop()
    runner = StoreRunner(store, loop)
    snap = store.read(messages.snapshot, inbox.id)
    view = SelectedView.from_snapshot(snap.mailbox, snap.messages, readonly=False)
    yield SimpleNamespace(runner=runner), view, loop, store, acct, inbox
    runner.close()
    loop.close()
    store.close()


def run(env, text, view=None):
    ctx, v, loop, *_ = env
    return loop.run_until_complete(search.search_uids(ctx, v if view is None else view, key(text)))


def test_view_and_sequence_numbers(env) -> None:
    _, view, *_ = env
    assert view.uids == [1, 3, 5, 7, 8, 9, 10]
    assert run(env, "ALL") == [1, 3, 5, 7, 8, 9, 10]
    assert run(env, "2:3") == [3, 5]  # sequence numbers 2 and 3
    assert run(env, "*") == [10]
    assert run(env, "UID 2:7") == [3, 5, 7]  # RFC 9051 6.4.8: missing UIDs are ignored
    assert run(env, "UID 20:*") == [10]  # "*" is the largest UID, so 20:* means 10:20
    assert run(env, "NOT 1:5") == [9, 10]
    assert run(env, "UNSEEN") == [8, 10]
    assert run(env, "OR 1 BODY even") == [1, 8, 10]
    assert run(env, "SUBJECT \"subject 9\" 6") == [9]


def test_out_of_range_sequence_is_bad(env) -> None:
    with pytest.raises(Bad):
        run(env, "8")


def test_saved_result_and_recent(env) -> None:
    _, view, *_ = env
    view.saved = (3, 9, 4)  # 4 is gone: RFC 5182 2.1 drops expunged messages from $
    assert run(env, "$") == [3, 9]
    assert run(env, "UID $ SEEN") == [3, 9]
    view.recent = {9, 10}
    assert run(env, "RECENT") == [9, 10]
    assert run(env, "OLD") == [1, 3, 5, 7, 8]
    assert run(env, "NEW") == [10]


def test_messages_not_in_the_view_are_left_out(env) -> None:
    ctx, view, loop, store, acct, inbox = env
    store.write(messages.ingest, acct.id, inbox.id, raw(11, "late", "odd"))  # not announced to the session yet
    assert run(env, "BODY odd") == [1, 3, 5, 7, 9]
    assert run(env, "ALL", view=(inbox.id, [1, 3, 11])) == [1, 3, 11]  # the (mailbox_id, uids) form
    assert run(env, "2", view=(inbox.id, [1, 3, 11])) == [3]
    assert run(env, "ALL", view=(inbox.id, [])) == []


def test_held_dense_and_sparse_give_what_seq_of_gives() -> None:
    """held() walks the view for many uids and bisects for few: both as seq_of answers."""
    import random
    from types import SimpleNamespace

    from postvak.servers.imap.selected import SelectedView

    rng = random.Random(7)
    for _ in range(200):
        view = SimpleNamespace(uids=sorted(rng.sample(range(1, 400), rng.randint(0, 120))))
        asked = sorted(rng.sample(range(0, 420), rng.choice([0, 1, 3, 10, 60, 200])))
        expected = [(u, view.uids.index(u) + 1) for u in asked if u in view.uids]
        assert SelectedView.held(view, asked) == expected  # type: ignore[arg-type]


def test_held_gives_what_seq_of_gives(env) -> None:
    _, view, *_ = env  # the view holds uids 1 3 5 7 8 9 10
    for uids in ([], [1], [2], [0, 1, 2, 3, 4, 10, 11], list(range(0, 13)), [10], [11, 12], [3, 5, 9]):
        expected = [(u, view.seq_of(u)) for u in uids if view.seq_of(u) is not None]
        assert view.held(uids) == expected
