"""store/fetchmeta.py: lean FETCH reads agree with messages.fetch_meta on what they return."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from postvak.store import fetchmeta, mailboxes, messages
from tests.store.helpers import make_raw


def _fill(store, account, inbox, n: int = 5) -> None:
    for i in range(n):
        flags = frozenset({"\\Seen", "$Work"}) if i % 2 else frozenset()
        store.write(messages.ingest, account.id, inbox.id, make_raw(i, subject=f"s{i}"), flags=flags,
                    internal_date=datetime(2024, 1, 1 + i, 12, 0, tzinfo=UTC))


def test_all_fields_match_fetch_meta(alice) -> None:
    store, account, inbox = alice
    _fill(store, account, inbox)
    full = store.read(messages.fetch_meta, inbox.id, [1, 2, 3, 4, 5])
    lean = store.read(fetchmeta.fetch_meta, inbox.id, [5, 3, 1, 2, 4, 4], fetchmeta.FIELDS)
    assert [m.uid for m in lean] == [1, 2, 3, 4, 5]
    for a, b in zip(full, lean, strict=True):
        assert (a.uid, a.modseq, a.flags, a.internal_date, a.size, a.blob_sha, a.thread_id) == (
            b.uid, b.modseq, b.flags, b.internal_date, b.size, b.blob_sha, b.thread_id)
        assert (a.envelope_json, a.body_json, a.preview) == (b.envelope_json, b.body_json, b.preview)
    assert lean[1].flags == frozenset({"\\Seen", "$Work"}) and lean[0].flags == frozenset()
    assert lean[0].internal_date == datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    # offsets: the top level of the structure, read without decoding the rest of it
    assert all(b.offsets == tuple(a.body_json["o"]) for a, b in zip(full, lean, strict=True))
    assert lean[0].offsets[0] == 0 < lean[0].offsets[1] < lean[0].offsets[2] == lean[0].size


def test_flags_only_reads_leave_the_rest_at_defaults(alice) -> None:
    store, account, inbox = alice
    _fill(store, account, inbox, 3)
    lean = store.read(fetchmeta.fetch_meta, inbox.id, [1, 2, 3, 99])
    assert [m.uid for m in lean] == [1, 2, 3]
    assert all(m.envelope_json is None and m.body_json is None and m.size == 0 and m.blob_sha == "" for m in lean)
    assert lean[1].flags == frozenset({"\\Seen", "$Work"})
    only_env = store.read(fetchmeta.fetch_meta, inbox.id, [2], ["envelope"])[0]
    assert only_env.envelope_json is not None and only_env.body_json is None and only_env.preview is None


def test_flag_changes_are_seen_and_other_mailboxes_not_read(alice) -> None:
    store, account, inbox = alice
    _fill(store, account, inbox, 2)
    store.write(messages.set_flags, inbox.id, [1], "add", ["\\Flagged", "$Late"])
    lean = store.read(fetchmeta.fetch_meta, inbox.id, [1])
    assert lean[0].flags == frozenset({"\\Flagged", "$Late"})
    other = store.read(mailboxes.get_mailbox, account.id, "Sent")
    assert store.read(fetchmeta.fetch_meta, other.id, [1, 2]) == []


def test_many_uids_cross_chunks_and_all_uids(alice) -> None:
    store, account, inbox = alice

    def bulk(tx):
        for i in range(fetchmeta.CHUNK + 20):
            messages.ingest(tx, account.id, inbox.id, make_raw(i))

    store.write(bulk)
    uids = store.read(fetchmeta.all_uids, inbox.id)
    assert uids == list(range(1, fetchmeta.CHUNK + 21))
    lean = store.read(fetchmeta.fetch_meta, inbox.id, uids, ["size"])
    assert [m.uid for m in lean] == uids and all(m.size > 0 for m in lean)


def test_unknown_field_is_refused(alice) -> None:
    store, _, inbox = alice
    with pytest.raises(ValueError):
        store.read(fetchmeta.fetch_meta, inbox.id, [1], ["h_subject"])
