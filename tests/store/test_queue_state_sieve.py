"""Outbound queue, feature state with expiry, Sieve scripts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from postvak.store import errors, queue, sieve, state


def test_queue_lifecycle(alice) -> None:
    store, acct, _ = alice
    qid = store.write(queue.enqueue, "alice@example.test", ["a@r.test", "b@r.test", "a@r.test"], b"raw mail")
    item = store.read(queue.get, qid)
    assert [r.address for r in item.recipients] == ["a@r.test", "b@r.test"] and item.size == 8
    assert store.blobs.read(item.blob_sha) == b"raw mail"
    due = store.write(queue.due, datetime.now(UTC) + timedelta(seconds=1))
    assert [d.id for d in due] == [qid]
    assert store.write(queue.due, datetime.now(UTC) + timedelta(seconds=1)) == []  # leased
    later = datetime.now(UTC) + timedelta(minutes=5)
    after = store.write(queue.mark, qid, {"a@r.test": ("sent", "250 ok")}, retry_at=later, error="b: 451")
    assert after.attempts == 1 and after.last_error == "b: 451"
    assert {r.address: r.status for r in after.recipients} == {"a@r.test": "sent", "b@r.test": "pending"}
    store.write(queue.retry, qid)
    assert [d.id for d in store.write(queue.due, datetime.now(UTC) + timedelta(seconds=1))] == [qid]
    assert store.write(queue.mark, qid, {"b@r.test": ("failed", "550 no")}) is None
    assert store.read(queue.list_queue) == []
    assert store.read(lambda tx: tx.blobs.refcount(tx, item.blob_sha)) == 0
    other = store.write(queue.enqueue, "alice@example.test", ["c@r.test"], b"x")
    store.write(queue.delete, other)
    with pytest.raises(errors.NotFound):
        store.read(queue.get, other)


def test_state_values_and_expiry(alice) -> None:
    store, acct, _ = alice
    store.write(state.put, "activesync", acct.id, "device:1", {"policy": 3})
    store.write(state.put, "spam", None, "model", b"\x00\x01")
    assert store.read(state.get, "activesync", acct.id, "device:1") == {"policy": 3}
    assert store.read(state.get, "spam", None, "model") == b"\x00\x01"
    store.write(state.put, "activesync", acct.id, "device:1", {"policy": 4})
    assert store.read(state.get, "activesync", acct.id, "device:1") == {"policy": 4}
    past = datetime.now(UTC) - timedelta(seconds=1)
    store.write(state.put, "pop3", acct.id, "lock", True, expires=past)
    assert store.read(state.get, "pop3", acct.id, "lock", "free") == "free"
    assert [e.key for e in store.read(state.list_entries, "activesync", acct.id)] == ["device:1"]
    assert store.write(state.purge_expired) == 1
    assert store.write(state.delete, "spam", None, "model")
    assert store.read(state.get, "spam", None, "model") is None


def test_state_lists_live_entries_of_one_account_or_all(alice) -> None:
    """A global (account None) and an account's key of the same name stay apart; an
    entry expiring later is live and keeps its expiry; None lists every account's."""
    store, acct, _ = alice
    later = datetime.now(UTC) + timedelta(hours=1)
    store.write(state.put, "vacation", acct.id, "b", True, expires=later)
    store.write(state.put, "vacation", None, "a", {"global": 1})
    store.write(state.put, "vacation", acct.id, "a", [1, 2])
    store.write(state.put, "vacation", acct.id, "gone", 1, expires=datetime.now(UTC) - timedelta(seconds=1))
    assert store.read(state.get, "vacation", None, "a") == {"global": 1}
    assert store.read(state.get, "vacation", acct.id, "a") == [1, 2]
    assert store.read(state.get, "vacation", acct.id, "b") is True
    mine = store.read(state.list_entries, "vacation", acct.id)
    assert [(e.key, e.value) for e in mine] == [("a", [1, 2]), ("b", True)]
    assert mine[1].expires is not None and abs(mine[1].expires - later) < timedelta(seconds=1)
    every = store.read(state.list_entries, "vacation")
    assert sorted((e.account_id or 0, e.key) for e in every) == [(0, "a"), (acct.id, "a"), (acct.id, "b")]
    assert [e.key for e in store.read(state.list_entries, "vacation", acct.id, "b")] == ["b"]


def test_sieve_scripts(alice) -> None:
    store, acct, _ = alice
    store.write(sieve.put_script, acct.id, "main", "keep;")
    store.write(sieve.put_script, acct.id, "other", "discard;")
    assert store.read(sieve.active_script, acct.id) is None
    store.write(sieve.activate, acct.id, "main")
    assert store.read(sieve.active_script, acct.id).content == "keep;"
    store.write(sieve.put_script, acct.id, "main", "stop;")
    assert store.read(sieve.active_script, acct.id).content == "stop;"
    with pytest.raises(errors.Conflict):
        store.write(sieve.delete, acct.id, "main")
    store.write(sieve.activate, acct.id, "other")
    store.write(sieve.delete, acct.id, "main")
    assert [s.name for s in store.read(sieve.list_scripts, acct.id)] == ["other"]
    store.write(sieve.activate, acct.id, None)
    assert store.read(sieve.active_script, acct.id) is None
    with pytest.raises(errors.NotFound):
        store.read(sieve.get_script, acct.id, "main")
