"""Ingest, flags with CONDSTORE modseqs, copy, move, expunge, changes_since, quota."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from postvak.store import accounts, errors, mailboxes, messages
from tests.store.helpers import make_raw


def test_ingest_allocates_uids_and_modseqs(alice) -> None:
    store, acct, inbox = alice
    seen = []
    unsub = store.changes.subscribe(acct.id, seen.extend)
    stored = [store.write(messages.ingest, acct.id, inbox.id, make_raw(i)) for i in range(3)]
    unsub()
    assert [s.uid for s in stored] == [1, 2, 3]
    assert stored[0].modseq < stored[1].modseq < stored[2].modseq
    assert [c.kind for c in seen] == ["new"] * 3 and [c.uid for c in seen] == [1, 2, 3]
    snap = store.read(messages.snapshot, inbox.id)
    assert [m.uid for m in snap.messages] == [1, 2, 3] and snap.mailbox.messages == 3
    assert snap.messages[0].envelope_json is None and snap.messages[0].flags == frozenset()
    meta = store.read(messages.fetch_meta, inbox.id, [2])
    assert len(meta) == 1 and meta[0].envelope_json is not None and meta[0].preview
    assert store.blobs.read(meta[0].blob_sha) == make_raw(1)
    assert meta[0].internal_date.tzinfo is not None


def test_ingest_keeps_flags_and_internal_date(alice) -> None:
    store, acct, inbox = alice
    when = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    s = store.write(messages.ingest, acct.id, inbox.id, make_raw(1), flags=frozenset({"\\seen", "$Work"}),
                    internal_date=when)
    m = store.read(messages.fetch_meta, inbox.id, [s.uid])[0]
    assert m.flags == frozenset({"\\Seen", "$Work"}) and m.internal_date == when
    assert store.read(mailboxes.status, inbox.id).unseen == 0


def test_ingest_refuses_foreign_mailbox(alice) -> None:
    store, acct, inbox = alice
    bob = store.write(accounts.add_account, "bob@example.test", "h")
    with pytest.raises(errors.NotFound):
        store.write(messages.ingest, bob.id, inbox.id, make_raw(1))


def test_set_flags_modes_and_unchanged_since(alice) -> None:
    store, acct, inbox = alice
    for i in range(3):
        store.write(messages.ingest, acct.id, inbox.id, make_raw(i))
    changed, failed = store.write(messages.set_flags, inbox.id, [1, 2], "add", {"\\Seen", "$A"})
    assert [c.uid for c in changed] == [1, 2] and failed == []
    assert changed[0].flags == frozenset({"\\Seen", "$A"}) and changed[1].modseq == changed[0].modseq + 1
    assert store.read(mailboxes.status, inbox.id).unseen == 1
    # No change -> no new modseq (RFC 7162 3.1.3)
    again, _ = store.write(messages.set_flags, inbox.id, [1], "add", {"\\Seen"})
    assert again == []
    changed, _ = store.write(messages.set_flags, inbox.id, [1], "remove", {"$A"})
    assert changed[0].flags == frozenset({"\\Seen"})
    changed, _ = store.write(messages.set_flags, inbox.id, [2], "replace", {"\\Flagged"})
    assert changed[0].flags == frozenset({"\\Flagged"}) and store.read(mailboxes.status, inbox.id).unseen == 2
    snap = {m.uid: m for m in store.read(messages.snapshot, inbox.id).messages}
    limit = snap[2].modseq - 1  # message 2 changed after this, message 3 did not
    changed, failed = store.write(messages.set_flags, inbox.id, [2, 3], "add", {"\\Deleted"}, unchanged_since=limit)
    assert failed == [2] and [c.uid for c in changed] == [3]


def test_changes_since_and_expunge(alice) -> None:
    store, acct, inbox = alice
    for i in range(4):
        store.write(messages.ingest, acct.id, inbox.id, make_raw(i))
    mark = store.read(mailboxes.status, inbox.id).highestmodseq
    store.write(messages.set_flags, inbox.id, [2, 3, 4], "add", {"\\Deleted"})
    assert store.write(messages.expunge, inbox.id, [3, 99]) == [3]  # UID EXPUNGE restricts
    assert store.write(messages.expunge, inbox.id) == [2, 4]
    changed, gone = store.read(messages.changes_since, inbox.id, mark)
    assert changed == [] and gone == [2, 3, 4]
    st = store.read(mailboxes.status, inbox.id)
    assert st.messages == 1 and st.highestmodseq > mark
    assert [m.uid for m in store.read(messages.snapshot, inbox.id).messages] == [1]
    store.write(messages.set_flags, inbox.id, [1], "add", {"\\Seen"})
    changed, gone = store.read(messages.changes_since, inbox.id, st.highestmodseq)
    assert [m.uid for m in changed] == [1] and gone == []


def test_copy_and_move_share_blobs(alice) -> None:
    store, acct, inbox = alice
    work = store.write(mailboxes.create_mailbox, acct.id, "Work")
    for i in range(3):
        store.write(messages.ingest, acct.id, inbox.id, make_raw(i), flags=frozenset({"$K"}) if i == 0 else frozenset())
    sha = store.read(messages.fetch_meta, inbox.id, [1])[0].blob_sha
    assert store.write(messages.copy, inbox.id, [1, 2], work.id) == [(1, 1), (2, 2)]
    assert store.read(lambda tx: tx.blobs.refcount(tx, sha)) == 2
    copied = store.read(messages.fetch_meta, work.id, [1])[0]
    assert copied.flags == frozenset({"$K"}) and copied.blob_sha == sha and copied.envelope_json is not None
    used = store.read(accounts.get_account_by_id, acct.id).used_bytes
    assert used == 5 * len(make_raw(0))
    assert store.write(messages.move, inbox.id, [3], work.id) == [(3, 3)]
    assert [m.uid for m in store.read(messages.snapshot, inbox.id).messages] == [1, 2]
    assert store.read(messages.changes_since, inbox.id, 0)[1] == [3]
    assert store.read(accounts.get_account_by_id, acct.id).used_bytes == used
    assert store.read(mailboxes.status, work.id).messages == 3


def test_quota_refuses_and_make_room_purges_trash(alice) -> None:
    store, acct, inbox = alice
    size = len(make_raw(0))
    store.write(accounts.set_quota, acct.address, size * 3)
    trash = store.read(mailboxes.get_special, acct.id, "\\Trash")
    store.write(messages.ingest, acct.id, trash.id, make_raw(0), internal_date=datetime(2020, 1, 1, tzinfo=UTC))
    store.write(messages.ingest, acct.id, trash.id, make_raw(1))
    store.write(messages.ingest, acct.id, inbox.id, make_raw(2))
    with pytest.raises(errors.QuotaExceeded):
        store.write(messages.ingest, acct.id, inbox.id, make_raw(3))
    with pytest.raises(errors.QuotaExceeded):
        store.write(messages.copy, inbox.id, [1], inbox.id)
    assert store.write(messages.make_room, acct.id, size)
    assert [m.uid for m in store.read(messages.snapshot, trash.id).messages] == [2]  # oldest went first
    store.write(messages.ingest, acct.id, inbox.id, make_raw(3))
    assert not store.write(messages.make_room, acct.id, size * 10)
    store.write(messages.ingest, acct.id, inbox.id, make_raw(4), check_quota=False)


def test_checked_ingest_skips_the_first_query_and_still_enforces_the_quota(alice) -> None:
    """checked=True (delivery ran precheck_quota and found the folder itself): no
    early refusal, yet going over the quota is refused under the row lock and the
    refused job leaves nothing behind."""
    store, acct, inbox = alice
    size = len(make_raw(0))
    store.write(accounts.set_quota, acct.address, size * 2)
    store.write(messages.ingest, acct.id, inbox.id, make_raw(0), checked=True)
    store.write(messages.ingest, acct.id, inbox.id, make_raw(1), checked=True)
    with pytest.raises(errors.QuotaExceeded):
        store.write(messages.ingest, acct.id, inbox.id, make_raw(2), checked=True)
    assert [m.uid for m in store.read(messages.snapshot, inbox.id).messages] == [1, 2]
    assert store.read(accounts.get_account_by_id, acct.id).used_bytes == size * 2


def test_purge_older_and_annotation(alice) -> None:
    store, acct, inbox = alice
    spam = store.read(mailboxes.get_special, acct.id, "\\Junk")
    old = datetime.now(UTC) - timedelta(days=10)
    store.write(messages.ingest, acct.id, spam.id, make_raw(0), internal_date=old)
    store.write(messages.ingest, acct.id, spam.id, make_raw(1))
    assert store.write(messages.purge_older, acct.id, "\\Junk", datetime.now(UTC) - timedelta(days=7)) == 1
    assert [m.uid for m in store.read(messages.snapshot, spam.id).messages] == [2]
    before = store.read(mailboxes.status, spam.id).highestmodseq
    modseq = store.write(messages.set_annotation, spam.id, 2, "call back")
    assert modseq > before and store.read(messages.fetch_meta, spam.id, [2])[0].annotation == "call back"
    store.write(messages.set_annotation, spam.id, 2, None)
    assert store.read(messages.fetch_meta, spam.id, [2])[0].annotation is None
    with pytest.raises(errors.NotFound):
        store.write(messages.set_annotation, spam.id, 99, "x")
