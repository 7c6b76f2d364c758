"""The user query language over the full-text index."""

from __future__ import annotations

import pytest

from postvak.store import mailboxes, messages, search
from tests.store.helpers import make_raw

MAILS = [
    ("Invoice March", "please pay the invoice before friday", "billing@shop.test"),
    ("Meeting notes", "the quarterly information session was useful", "boss@corp.test"),
    ("Holiday", "Café in Zürich, informal drinks", "friend@home.test"),
    ("Re: Invoice March", "paid the invoice friday morning", "alice@example.test"),
]


@pytest.fixture()
def corpus(alice):
    store, acct, inbox = alice
    other = store.write(mailboxes.create_mailbox, acct.id, "Other")
    for i, (subject, body, frm) in enumerate(MAILS):
        store.write(messages.ingest, acct.id, inbox.id, make_raw(i, subject=subject, body=body, frm=frm))
    store.write(messages.ingest, acct.id, other.id, make_raw(9, subject="invoice elsewhere", body="x"))
    return store, inbox, other


def uids(store, box, query, more=()):
    return [uid for _, uid, _ in store.read(search.search_terms, [box.id, *more], query)]


def test_parse_query() -> None:
    q = search.parse_query('pay OR paid "the invoice" -holiday info* ab*')
    assert len(q.clauses) == 4 and len(q.clauses[0]) == 2
    assert q.clauses[1][0].phrase and q.clauses[2][0].prefix and not q.clauses[3][0].prefix
    assert q.excluded[0].terms == ("holiday",)


def test_words_are_anded_case_insensitive(corpus) -> None:
    store, inbox, other = corpus
    assert sorted(uids(store, inbox, "INVOICE friday")) == [1, 4]
    assert uids(store, inbox, "invoice holiday") == []
    assert sorted(uids(store, inbox, "invoice", [other.id])) == [1, 1, 4]


def test_or_phrase_prefix_exclude(corpus) -> None:
    store, inbox, _ = corpus
    assert sorted(uids(store, inbox, "holiday OR meeting")) == [2, 3]
    assert uids(store, inbox, '"pay the invoice"') == [1]
    assert uids(store, inbox, '"invoice the pay"') == []
    assert sorted(uids(store, inbox, "info*")) == [2, 3]  # information, informal
    assert uids(store, inbox, "inf*") == []  # prefix needs 4 characters
    assert uids(store, inbox, "invoice -paid") == [1]
    assert uids(store, inbox, "cafe zurich") == [3]  # accents folded
    assert uids(store, inbox, "") == []


def test_ranking_prefers_subject_and_limit(corpus) -> None:
    store, inbox, _ = corpus
    hits = store.read(search.search_terms, [inbox.id], "invoice")
    assert {h[1] for h in hits} == {1, 4} and hits[0][2] >= hits[-1][2]
    assert len(store.read(search.search_terms, [inbox.id], "invoice", 1)) == 1
    # subject hit (3.0) beats body-only hit
    hits = store.read(search.search_terms, [inbox.id], "information OR holiday")
    assert hits[0][1] == 3


def test_candidates_prefilter(corpus) -> None:
    store, inbox, _ = corpus
    assert store.read(search.candidates, inbox.id, ["invoice", "fri"]) == {1, 4}
    assert store.read(search.candidates, inbox.id, ["nothing"]) == set()
    assert store.read(search.candidates, inbox.id, ["%%"]) == {1, 2, 3, 4}


def test_expunged_messages_leave_the_index(corpus) -> None:
    store, inbox, _ = corpus
    store.write(messages.set_flags, inbox.id, [1], "add", {"\\Deleted"})
    store.write(messages.expunge, inbox.id)
    assert uids(store, inbox, "invoice") == [4]


def test_batch_failed_job_leaves_no_index_rows(alice) -> None:
    """Group commit: a job that fails after ingesting rolls back its index rows with its
    SAVEPOINT; the jobs around it are indexed and searchable."""
    store, acct, inbox = alice

    def ingest_then_fail(tx, raw):
        messages.ingest(tx, acct.id, inbox.id, raw)
        raise RuntimeError("after ingest")

    results = store.write_batch([
        (messages.ingest, (acct.id, inbox.id, make_raw(1, subject="alpha", body="zebra"), ), {}),
        (ingest_then_fail, (make_raw(2, subject="beta", body="zebra giraffe"),), {}),
        (messages.ingest, (acct.id, inbox.id, make_raw(3, subject="gamma", body="zebra"),), {}),
    ])
    assert isinstance(results[1], RuntimeError)
    assert uids(store, inbox, "zebra") == [2, 1]  # UIDs 1 and 2: the failed job's UID was rolled back too
    assert uids(store, inbox, "giraffe") == []
    assert uids(store, inbox, "beta") == []


def test_indexed_text_is_capped(alice) -> None:
    store, acct, inbox = alice
    body = "early " + "filler " * (search.MAX_INDEXED_TEXT // 7 + 10) + "lateword"
    store.write(messages.ingest, acct.id, inbox.id, make_raw(1, body=body))
    assert uids(store, inbox, "early") == [1]
    assert uids(store, inbox, "lateword") == []


def test_remembered_terms_are_bounded_by_count_and_characters(monkeypatch) -> None:
    """The terms cache holds a few seconds of mail for the indexer, within a budget of
    entries and of characters; the most recent stay, an update replaces its old size."""
    monkeypatch.setattr(search, "_terms_cache", type(search._terms_cache)())
    monkeypatch.setattr(search, "_cached_chars", 0)
    monkeypatch.setattr(search, "CACHE_SIZE", 4)
    monkeypatch.setattr(search, "CACHE_CHARS", 20)
    for n in range(6):
        search.remember_terms(f"sha{n}", search.Terms("ab", "", "", "c"))
    assert list(search._terms_cache) == ["sha2", "sha3", "sha4", "sha5"] and search._cached_chars == 12
    search.remember_terms("sha5", search.Terms("", "", "", "a b c d e"))  # replaced: 3 -> 9 chars, 18
    assert list(search._terms_cache) == ["sha2", "sha3", "sha4", "sha5"] and search._cached_chars == 18
    search.remember_terms("sha6", search.Terms("abcd", "", "", ""))  # 22 > 20: the oldest goes
    assert list(search._terms_cache) == ["sha3", "sha4", "sha5", "sha6"] and search._cached_chars == 19
    search.remember_terms("big", search.Terms("", "", "", "w" * 30))  # over budget alone: kept, the rest go
    assert list(search._terms_cache) == ["big"] and search._cached_chars == 30
