"""Full-text indexing off the delivery path: ingest leaves messages unindexed, the
background indexer (search.index_pending) builds their terms, and every search
answers the same before and after it ran."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.protocols.imap import search as sk
from postvak.protocols.imap.cursor import Cursor
from postvak.protocols.imap.limits import Limits
from postvak.store import imapsearch, mailboxes, messages, schema, search
from tests.store.helpers import make_raw

MAILS = [
    ("Invoice March", "please pay the invoice before friday", "billing@shop.test"),
    ("Meeting notes", "the quarterly information session was useful", "boss@corp.test"),
    ("Holiday", "Café in Zürich, informal drinks", "friend@home.test"),
    ("Re: Invoice March", "paid the invoice friday morning", "alice@example.test"),
]
QUERIES = ["invoice", "informal", "info*", "café", "zurich", '"the invoice"', "pay OR paid", "invoice -morning",
           "billing", "quarterly session", "nothing-here"]
IMAP_QUERIES = ["BODY invoice", "TEXT friday", "BODY \"zür\"", "TEXT \"the invoice\"", "BODY informal", "TEXT billing",
                "NOT BODY invoice", "X-POSTVAK-RAW \"invoice friday\""]


def _drop_index(tx) -> None:
    """Every index entry gone (the FTS5 rows by msgterms' delete trigger on SQLite)."""
    tx.conn.execute(schema.terms.delete())
    if not tx.is_postgres:
        tx.conn.exec_driver_sql("DELETE FROM msgterms")


def terms_count(tx) -> int:
    return len(search.index_rows(tx))


@pytest.fixture()
def corpus(alice):
    store, acct, inbox = alice
    other = store.write(mailboxes.create_mailbox, acct.id, "Other")
    store.write_batch([
        (messages.ingest, (acct.id, inbox.id, make_raw(i, subject=s, body=b, frm=f)), {})
        for i, (s, b, f) in enumerate(MAILS)
    ])
    store.write(messages.ingest, acct.id, other.id, make_raw(9, subject="invoice elsewhere", body="x"))
    return store, acct, inbox, other


def answers(store, inbox, other, monkeypatch) -> dict[str, object]:
    out: dict[str, object] = {}
    for q in QUERIES:
        out[q] = store.read(search.search_terms, [inbox.id, other.id], q)
    for words in (["invoice"], ["fri", "pa"], ["zür"], ["no-such"]):
        out[f"candidates {words}"] = store.read(search.candidates, inbox.id, words)
    for q in IMAP_QUERIES:
        program = sk.parse_program(Cursor(q.encode(), {}, Limits(), utf8=True))
        out[q] = store.read(imapsearch.search, inbox.id, program)
        with monkeypatch.context() as m:  # the index path, used above 1,000 candidates
            m.setattr(imapsearch, "SCAN_LIMIT", 0)
            out[f"indexed {q}"] = store.read(imapsearch.search, inbox.id, program)
    return out


def test_ingest_leaves_indexing_to_the_indexer(corpus) -> None:
    store = corpus[0]
    assert store.read(terms_count) == 0 and store.read(search.pending_count) == 5
    assert store.write(search.index_pending, 2) == 2  # oldest first, in batches
    assert store.read(search.pending_count) == 3
    assert store.write(search.index_pending) == 3
    assert store.write(search.index_pending) == 0
    assert store.read(search.pending_count) == 0 and store.read(terms_count) > 20


def test_search_finds_messages_before_and_after_indexing(corpus, monkeypatch) -> None:
    store, _acct, inbox, other = corpus
    before = answers(store, inbox, other, monkeypatch)
    assert sorted((b, u) for b, u, _ in before["invoice"]) == [(inbox.id, 1), (inbox.id, 4), (other.id, 1)]
    assert {u for _, u, _ in before["info*"]} == {2, 3}
    assert before["candidates ['invoice']"] == {1, 4}
    assert before["BODY \"zür\""] == [3] and before["indexed BODY informal"] == [3]
    assert before["indexed TEXT billing"] == [1] and before["NOT BODY invoice"] == [2, 3]
    assert before["X-POSTVAK-RAW \"invoice friday\""] == [1, 4]
    store.write(search.index_pending)
    assert store.read(search.pending_count) == 0
    assert answers(store, inbox, other, monkeypatch) == before
    # half indexed, half not: still the same answers
    store.write(messages.ingest, corpus[1].id, inbox.id, make_raw(5, subject="late invoice", body="friday"))
    mid = answers(store, inbox, other, monkeypatch)
    assert 5 in {u for _, u, _ in mid["invoice"]} and 5 in mid["indexed TEXT friday"]
    store.write(search.index_pending)
    assert answers(store, inbox, other, monkeypatch) == mid


def test_copies_and_moves_of_unindexed_messages_are_indexed(corpus) -> None:
    store, acct, inbox, other = corpus
    store.write(messages.copy, inbox.id, [1], other.id)  # source not indexed yet
    store.write(messages.move, inbox.id, [2], other.id)
    found = {(b, u) for b, u, _ in store.read(search.search_terms, [other.id], "invoice OR quarterly")}
    assert found == {(other.id, 1), (other.id, 2), (other.id, 3)}
    store.write(search.index_pending)
    assert {(b, u) for b, u, _ in store.read(search.search_terms, [other.id], "invoice OR quarterly")} == found
    # copying an indexed message copies its terms instead
    store.write(messages.copy, inbox.id, [3], other.id)
    assert store.read(search.pending_count) == 0
    assert [u for _, u, _ in store.read(search.search_terms, [other.id], "zurich")] == [4]


def test_expunged_pending_message_leaves_nothing_behind(corpus) -> None:
    store, _acct, inbox, _other = corpus
    store.write(messages.set_flags, inbox.id, [1, 2], "add", {"\\Deleted"})
    assert store.write(messages.expunge, inbox.id) == [1, 2]
    assert store.read(search.pending_count) == 3  # the expunged rows went with their messages
    assert store.write(search.index_pending) == 3
    assert [u for _, u, _ in store.read(search.search_terms, [inbox.id], "invoice")] == [4]


def test_split_indexer_equals_index_pending_and_skips_expunged(corpus, alice) -> None:
    """pending_terms (reader thread) + store_terms (writer) build the same rows as
    index_pending; a message expunged between the two halves is skipped."""
    store, _acct, inbox, _other = corpus
    prepared = store.read(search.pending_terms, 10)
    assert [m for m, _ in prepared] == sorted(m for m, _ in prepared) and len(prepared) == 5
    store.write(messages.set_flags, inbox.id, [1], "add", {"\\Deleted"})
    assert store.write(messages.expunge, inbox.id) == [1]
    assert store.write(search.store_terms, prepared) == 5
    assert store.read(search.pending_count) == 0
    split_rows = store.read(search.index_rows)
    assert split_rows and prepared[0][0] not in {message_id for _term, message_id, _fields in split_rows}
    store.write(search.store_terms, prepared)  # again: nothing still pending, nothing doubled
    assert store.read(search.index_rows) == split_rows
    # the same messages through index_pending give the same rows
    store.write(_drop_index)
    store.write(lambda tx: tx.conn.execute(schema.unindexed.insert(), [{"message_id": m} for m, _ in prepared[1:]]))
    assert store.write(search.index_pending) == 4
    assert store.read(search.index_rows) == split_rows


@pytest.mark.parametrize("text", ["Re: Invoice invoice INVOICE", "Café-Überweisung café x" + "y" * 100,
                                  "w" * 70 + " " + "w" * 80, "", "a b a c b", "w" * 64 + " W" * 3,
                                  "v" * 65 + " " + "v" * 64, "K" * 64 + "k " + "\u212a" * 70])
def test_distinct_tokens_are_tokens_without_repeats(text) -> None:
    assert list(search.distinct_tokens(text)) == list(dict.fromkeys(search.tokens(text)))


def test_ascii_words_are_the_regex_words() -> None:
    """tokens() splits ASCII text without the regex; the words must be _WORD's."""
    import random
    import re

    rng = random.Random(7)
    alphabet = [chr(i) for i in range(128)] + ["ab", "Zz9_"] * 20
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert search.tokens(text) == [w[: search.MAX_TERM] for w in re.findall(r"\w+", text.casefold())], text



def _reference_tokens(text: str) -> list[str]:
    """tokens() by its definition, a chunk at a time: case-fold, split at whitespace, fold
    accents (NFKD, combining marks dropped) in each chunk, then the regex's words."""
    out: list[str] = []
    for chunk in text.casefold().split():
        chunk = "".join(ch for ch in unicodedata.normalize("NFKD", chunk) if not unicodedata.combining(ch))
        out.extend(w[: search.MAX_TERM] for w in re.findall(r"\w+", chunk))
    return out


# Text that is mostly ASCII with the characters where folding is subtle: combining marks
# alone and after letters, compatibility forms that decompose into several characters, a space
# and a mark (U+00A8), letters and digits (the ligature, 1/2), Unicode spaces and punctuation.
# Cherokee, whose case folding gives capitals, and U+210C, a capital with no lower case whose NFKD
# is an ASCII capital: neither may be lowered after folding.
_TRICKY = ("\u0301\u0308\u00e9\u00a8\u00bd\u2122\u2103\ufb01\u00df\u0130\u212a\u00a0\u2028\u2014\u00ab"
           "\uff3f\u0416\u00f8\u4e2d\u13a0\uab70\u210c")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from([chr(i) for i in range(128)] + list(_TRICKY)) | st.characters(), max_size=80))
def test_tokens_are_the_chunk_by_chunk_definition(text) -> None:
    assert search.tokens(text) == _reference_tokens(text)
    assert list(search.distinct_tokens(text)) == list(dict.fromkeys(_reference_tokens(text)))


def test_accented_long_text_gives_the_defined_words() -> None:
    """A long body with a few accents folds only its non-ASCII runs; the words are the same."""
    text = ("Geachte heer, de vergadering van één uur gaat niet door; café-Überweisung ½ ﬁle Привет. " * 400
            + "w" * 70 + "\u00e9")
    assert search.tokens(text) == _reference_tokens(text)
    assert "uberweisung" in search.distinct_tokens(text) and "privet" not in search.distinct_tokens(text)


def _old_term_rows(parsed, body_text: str) -> list[tuple[str, int]]:
    """A message's (term, field mask) pairs one term at a time: the reference for terms_for."""
    seen: dict[str, int] = {}
    fields = (
        (search.FIELD_SUBJECT, parsed.subject or ""),
        (search.FIELD_FROM, parsed.from_addr or ""),
        (search.FIELD_TO, f"{parsed.to_addrs or ''} {parsed.cc_addrs or ''}"),
        (search.FIELD_BODY, (body_text or "")[: search.MAX_INDEXED_TEXT]),
    )
    for field, text in fields:
        for term in dict.fromkeys(search.tokens(text)):
            mask = seen.get(term)
            if mask is not None:
                if not mask & field:
                    seen[term] = mask | field
            elif len(seen) < search.MAX_TERMS_PER_MESSAGE:
                seen[term] = field
    return list(seen.items())


@pytest.mark.parametrize("cap", [1, 3, 7, 20, 5000])
def test_terms_are_the_one_by_one_rows(monkeypatch, cap) -> None:
    """terms_for gives the terms, masks and order of the per-term loop,
    also where the MAX_TERMS_PER_MESSAGE cap is reached in any field, with overlapping
    fields, words cut to MAX_TERM, and non-ASCII text."""
    import random
    from types import SimpleNamespace

    monkeypatch.setattr(search, "MAX_TERMS_PER_MESSAGE", cap)
    rng = random.Random(cap)
    vocab = ["alpha", "Beta", "gamma", "delta", "x" * 70, "x" * 64 + "y", "café", "Über", "a_b", "7"] + [
        f"w{i}" for i in range(30)]

    def text() -> str:
        return rng.choice(["", " "]) + " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 25)))

    for _ in range(300):
        parsed = SimpleNamespace(subject=rng.choice([None, text()]), from_addr=rng.choice([None, text()]),
                                 to_addrs=rng.choice([None, text()]), cc_addrs=rng.choice([None, text()]))
        body = rng.choice([None, text(), text() + " " + text()])
        expected = _old_term_rows(parsed, body)
        assert list(search.masks_of(search.terms_for(parsed, body)).items()) == expected


def test_pending_fields_are_the_masks_of_the_matching_terms() -> None:
    """A search of a message the indexer has not reached reads its cached Terms strings:
    the fields found equal those of the matching terms' masks, exact and as a prefix."""
    import random

    rng = random.Random(5)
    vocab = ["in", "inv", "invoice", "invoices", "voice", "a_b", "b", "7", "x" * 64]
    for _ in range(300):
        terms = search.Terms(*(" ".join(dict.fromkeys(rng.choice(vocab) for _ in range(rng.randint(0, 5))))
                               for _ in range(4)))
        masks = search.masks_of(terms)
        for term in vocab + ["nv", "oice", "x"]:
            for prefix in (False, True):
                want = 0
                for t, m in masks.items():
                    if t == term or (prefix and t.startswith(term)):
                        want |= m
                got = search._pending_fields(terms, term, prefix)
                assert len(got) == len(set(got)) and sum(got) == want, (terms, term, prefix)


def test_many_recipients_share_one_parse(alice) -> None:
    store, acct, inbox = alice
    raw = make_raw(1, subject="same bytes", body="to everyone")
    boxes = [inbox.id] + [store.write(mailboxes.create_mailbox, acct.id, f"F{i}").id for i in range(3)]
    store.write_batch([(messages.ingest, (acct.id, b, raw), {}) for b in boxes])
    assert store.write(search.index_pending) == 4
    hits = store.read(search.search_terms, boxes, "everyone")
    assert sorted(b for b, _, _ in hits) == sorted(boxes)


def test_the_serve_job_indexes_after_deliveries(alice) -> None:
    """servers/core/jobs.fulltext_indexer: woken by committed new mail, drains the
    pending table through the runner's writer thread."""
    import asyncio
    from types import SimpleNamespace

    from postvak.servers.core import jobs
    from postvak.servers.core.logs import EventLogger
    from postvak.servers.core.runner import StoreRunner

    store, acct, inbox = alice

    async def scenario() -> tuple[int, int]:
        loop = asyncio.get_running_loop()
        runner = StoreRunner(store, loop)
        ctx = SimpleNamespace(store=store, runner=runner, loop=loop, log=EventLogger(), extras={})
        stop = jobs.fulltext_indexer(ctx)
        try:
            await asyncio.sleep(0.1)
            await asyncio.gather(*(
                runner.write(messages.ingest, acct.id, inbox.id, make_raw(i, subject=f"kick {i}")) for i in range(450)
            ))
            for _ in range(200):  # bounded: 10 s
                if await runner.read(search.pending_count) == 0:
                    break
                await asyncio.sleep(0.05)
            return await runner.read(search.pending_count), len(await runner.read(search.search_terms, [inbox.id], "kick", 1000))
        finally:
            await stop()
            runner.close()

    pending, found = asyncio.run(scenario())
    assert pending == 0 and found == 450


def _ingest_elsewhere(url: str, blob_dir: str, account_id: int, mailbox_id: int) -> None:
    from postvak.store import open_store

    other = open_store(url, blob_backend="files", blob_dir=blob_dir)
    try:
        other.write(messages.ingest, account_id, mailbox_id, make_raw(1, subject="from elsewhere"))
    finally:
        other.close()


def test_the_serve_job_indexes_mail_another_process_committed(alice, tmp_store_url, tmp_path) -> None:
    """New mail from another process (the CLI, a second server) wakes the indexer through
    the change listener, not only its once-a-minute look."""
    import asyncio
    import multiprocessing as mp
    from types import SimpleNamespace

    from postvak.servers.core import jobs
    from postvak.servers.core.logs import EventLogger
    from postvak.servers.core.runner import StoreRunner

    store, acct, inbox = alice

    async def scenario() -> tuple[int, int, int]:
        loop = asyncio.get_running_loop()
        runner = StoreRunner(store, loop)
        ctx = SimpleNamespace(store=store, runner=runner, loop=loop, log=EventLogger(), extras={})
        stop = jobs.fulltext_indexer(ctx)
        try:
            await asyncio.sleep(0.5)  # the job's first (empty) run is over: only a wake-up brings it back
            proc = mp.get_context("spawn").Process(
                target=_ingest_elsewhere, args=(tmp_store_url, str(tmp_path / "blobs"), acct.id, inbox.id))
            proc.start()
            await asyncio.to_thread(proc.join, 60)
            pending_after_commit = await runner.read(search.pending_count)
            for _ in range(100):  # bounded: 10 s, well inside the minute the job would otherwise wait
                if await runner.read(search.pending_count) == 0:
                    break
                await asyncio.sleep(0.1)
            found = await runner.read(search.search_terms, [inbox.id], "elsewhere", 10)
            return pending_after_commit, await runner.read(search.pending_count), len(found)
        finally:
            await stop()
            runner.close()

    pending_after_commit, pending, found = asyncio.run(scenario())
    assert pending_after_commit == 1  # the other process's message arrived unindexed
    assert pending == 0 and found == 1


def test_pending_terms_read_only_the_messages_whose_terms_are_not_known(alice, monkeypatch) -> None:
    """Terms the filter worker computed (remember_terms) are used as they are: the
    message bytes are read only for the others, a large file blob included, and the
    rows equal a computation from the bytes."""
    import hashlib

    store, acct, inbox = alice
    raws = [make_raw(i, subject=f"subject {i}", body=f"body words {i} " + "filler " * (30000 if i == 1 else 3))
            for i in range(3)]
    for raw in raws:
        store.write(messages.ingest, acct.id, inbox.id, raw)
    expected = [search.terms_of(raw) for raw in raws]
    search._terms_cache.clear()
    for i in (0, 1):  # the worker's terms for two of them (one a file blob)
        search.remember_terms(hashlib.sha256(raws[i]).hexdigest(), expected[i])
    reads: list[str] = []
    original = type(store.blobs).read

    def counting_read(self, sha):  # type: ignore[no-untyped-def]
        reads.append(sha)
        return original(self, sha)

    monkeypatch.setattr(type(store.blobs), "read", counting_read)
    prepared = store.read(search.pending_terms, 10)
    assert [terms for _, terms in prepared] == expected
    assert reads == []  # the third is inline: its bytes came with the query, no file read
    search._terms_cache.clear()
    assert [terms for _, terms in store.read(search.pending_terms, 10)] == expected
    assert reads == [hashlib.sha256(raws[1]).hexdigest()]  # uncached now: the large one from its file


def test_fts_columns_are_the_field_bits() -> None:
    """SQLite's index keeps a term's fields as its columns (store/search_fts.py)."""
    from postvak.store import search_fts

    assert dict(search_fts.COLUMNS) == {search.FIELD_BODY: "body", search.FIELD_SUBJECT: "subject",
                                        search.FIELD_FROM: "sender", search.FIELD_TO: "rcpt"}
    assert {name for _bit, name in search_fts.COLUMNS} == set(search.Terms._fields)  # insert() reads them by name
    terms = search.Terms(subject="invoice", sender="bob", rcpt="", body="invoice")
    assert search.masks_of(terms) == {"invoice": search.FIELD_SUBJECT | search.FIELD_BODY, "bob": search.FIELD_FROM}
    assert search_fts.match("inv", True, search.FIELD_SUBJECT | search.FIELD_TO) == '{subject rcpt} : "inv" *'
