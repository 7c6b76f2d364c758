"""servers/core/delivery_pool.py: decisions in a worker process equal the ones made
here, and a dead worker costs nothing but the pool (the message is still decided)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from postvak.servers.core import delivery_pool, pipeline
from postvak.servers.core.delivery import OK
from tests.servers.core.test_pipeline import GTUBE, Env, mail


@pytest.fixture()
def env(tmp_path: Path):
    e = Env(tmp_path)
    e.delivery.pool = delivery_pool.FilterPool(1, e.log)
    e.delivery.clock = lambda: datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
    try:
        yield e
    finally:
        e.delivery.pool.close()
        e.close()


def wait_ready(e: Env) -> None:
    """The pool decides here until its worker answered the first call."""
    e.deliver(mail(subject="warm up"))  # starts the worker
    deadline = time.monotonic() + 60
    while not e.delivery.pool.ready and time.monotonic() < deadline:
        e.loop.run_until_complete(asyncio.sleep(0.05))
    assert e.delivery.pool.ready


def decisions(e: Env, raw: bytes) -> list[pipeline.Decision]:
    rcpts = e.store.read(pipeline.accounts.resolve_recipient, "u@example.test")
    return e.loop.run_until_complete(e.delivery.decide("a@remote.test", rcpts, raw, source="smtp"))


def test_worker_decides_as_this_process_does(env: Env) -> None:
    env.script('require ["fileinto", "imap4flags"]; if header :contains "subject" "report" '
               '{ fileinto :flags "\\\\Flagged" "Reports"; }')
    wait_ready(env)
    for raw in (mail(subject="weekly report"), mail(body=GTUBE), mail(subject="lunch")):
        before = env.delivery.pool.remote
        remote = decisions(env, raw)
        assert env.delivery.pool.remote == before + 1
        workers, env.delivery.pool.workers = env.delivery.pool.workers, 0
        try:
            local = decisions(env, raw)
        finally:
            env.delivery.pool.workers = workers
        assert [(d.recipient, d.raw, d.filings, d.sends, d.reject, d.errors) for d in remote] == \
            [(d.recipient, d.raw, d.filings, d.sends, d.reject, d.errors) for d in local]
        assert [d.verdict.score for d in remote] == [d.verdict.score for d in local]
    assert env.deliver(mail(body=GTUBE, subject="x")).results[0].status == OK
    assert len(env.box("", special="\\Junk")) == 1



def test_worker_leaves_the_stored_copys_terms_for_the_indexer(env: Env) -> None:
    """The worker computes the full-text terms of the copy to be stored; the indexer
    here finds them under that blob's sha and they equal its own computation."""
    import hashlib

    from postvak.store import search

    wait_ready(env)
    before = env.delivery.pool.remote
    outcome = env.deliver(mail(subject="quarterly figures", body="Zanzibar shipment arrives Tuesday"))
    assert env.delivery.pool.remote == before + 1 and outcome.results[0].status == OK
    stored = env.box("INBOX")[-1]  # X-Spam-* headers included: the worker saw these bytes
    sha = hashlib.sha256(stored).hexdigest()
    # The blob is keyed by the sha settle_index computed here and handed down to the store.
    assert env.metas[-1].blob_sha == sha
    cached = search._terms_cache.get(sha)
    assert cached is not None and "zanzibar" in search.masks_of(cached) and "quarterly" in cached.subject.split()
    assert cached == search.terms_of(stored)

def test_the_worker_decides_without_spam_checks_or_a_script(env: Env) -> None:
    """With spam.enabled = false and no Sieve script there is still the stored copy's
    parse and search terms to compute: the worker does them, not this process's loop."""
    import hashlib

    from postvak.store import search

    wait_ready(env)
    env.delivery.spam_on = False
    before = env.delivery.pool.remote
    outcome = env.deliver(mail(subject="no filters here", body="Kilimanjaro expedition notes"))
    assert outcome.results[0].status == OK
    assert env.delivery.pool.remote == before + 1
    stored = env.box("INBOX")[-1]
    assert b"X-Spam-" not in stored  # not classified
    cached = search._terms_cache.get(hashlib.sha256(stored).hexdigest())
    assert cached is not None and "kilimanjaro" in search.masks_of(cached)


def test_a_killed_worker_loses_nothing(env: Env) -> None:
    wait_ready(env)
    old = list(env.delivery.pool._procs)
    assert old
    for worker in old:
        os.kill(worker.process.pid, signal.SIGKILL)
    for _ in range(40):  # until the loop has read the end of the pipe
        if all(w.dead for w in old):
            break
        env.loop.run_until_complete(asyncio.sleep(0.05))
    outcome = env.deliver(mail(subject="after the crash", body=GTUBE))
    assert outcome.results[0].status == OK
    assert any(b"after the crash" in m for m in env.box("", special="\\Junk"))
    assert not set(env.delivery.pool._procs) & set(old)  # replaced for the next message
    wait_ready(env)
    before = env.delivery.pool.remote
    assert env.deliver(mail(subject="worker again")).results[0].status == OK
    assert env.delivery.pool.remote == before + 1


def test_default_workers_use_a_second_core() -> None:
    assert delivery_pool.default_workers() == (1 if (os.cpu_count() or 1) >= 2 else 0)


def test_the_stored_copy_comes_back_as_its_verdict_lines_only() -> None:
    """Only what the worker inserted crosses the pipe; the copy is rebuilt byte for byte."""
    from postvak.store.types import Resolved

    rcpt = Resolved(1, "u@example.test", None)
    raw = b"Return-Path: <a@remote.test>\r\nDelivered-To: u@example.test\r\nSubject: s\r\n\r\nbody\r\n"
    lines = b"X-Spam-Status: No\r\n"
    copies = (pipeline.with_verdict(raw, lines), raw, b"Subject: rewritten\r\n\r\nbody\r\n", raw[:20])
    for copy in copies:
        shrunk = delivery_pool._shrink(pipeline.Decision(rcpt, copy), raw)
        if copy.endswith(raw[pipeline.trace_end(raw):]):
            assert shrunk[0].raw == b"" and shrunk[1] is not None
        assert delivery_pool._grow(shrunk, raw).raw == copy
    assert delivery_pool._shrink(pipeline.Decision(rcpt, copies[0]), raw)[1] == (pipeline.trace_end(raw), lines)


@pytest.mark.parametrize("owner", ["global", "user"])
def test_models_cross_once_and_decide_as_here(env: Env, owner: str) -> None:
    """A trained spam model (the global one; the recipient's, trained with the global
    one) goes to the worker once per change, then its token alone; the worker's verdicts
    equal this process's, before and after retraining."""
    from postvak.servers.core import delivery_spam

    wait_ready(env)
    account = None if owner == "global" else env.u.id
    for n, text in enumerate(("cheap pills now", "cheap watches now", "lunch at noon")):
        env.store.write(delivery_spam.train, account, mail(subject=text), n < 2)
    sent: list[int] = []  # per call: how many models travelled with their bytes
    by_ref = env.delivery.pool._by_ref

    def spy(args: tuple, kwargs: dict, resend: bool) -> tuple:
        (args, kwargs), tokens = by_ref(args, kwargs, resend)
        refs = [kwargs.get("global_model"), args[4].user_model]
        sent.append(sum(1 for r in refs if isinstance(r, delivery_pool.ModelRef) and r.data is not None))
        return (args, kwargs), tokens

    env.delivery.pool._by_ref = spy  # type: ignore[method-assign]
    models = 1 if owner == "global" else 2
    for _ in range(2):
        for raw in (mail(subject="cheap pills"), mail(subject="lunch plans")):
            remote = decisions(env, raw)
            workers, env.delivery.pool.workers = env.delivery.pool.workers, 0
            try:
                local = decisions(env, raw)
            finally:
                env.delivery.pool.workers = workers
            assert [d.verdict.score for d in remote] == [d.verdict.score for d in local]
            assert [d.raw for d in remote] == [d.raw for d in local]
        assert sent == [models, 0]  # the bytes once, then the tokens
        sent.clear()
        env.store.write(delivery_spam.train, account, mail(subject="cheap pills again"), True)


def test_a_worker_without_the_model_asks_for_it() -> None:
    from postvak.store.types import Resolved

    delivery_pool._models.clear()
    inputs = pipeline.Inputs(1, (), None, "", {}, frozenset(), None, (), ())
    args = (Resolved(1, "u@example.test", None), "u@example.test", "", b"", inputs)
    assert delivery_pool._decide(args, {"global_model": delivery_pool.ModelRef(7)}) == delivery_pool.NEED_MODEL
    user = pipeline.Inputs(1, (), None, "", {}, frozenset(), delivery_pool.ModelRef(8), (), ())  # type: ignore[arg-type]
    assert delivery_pool._decide((*args[:4], user), {}) == delivery_pool.NEED_MODEL


def test_the_worker_parse_serves_ingest(env: Env) -> None:
    """The copy the worker decided on is parsed there once; ingest here finds that parse
    (and the indexer the terms) under the blob's key instead of parsing again."""
    import hashlib

    from postvak.protocols import mime
    from postvak.store import ingest, search

    wait_ready(env)
    before = env.delivery.pool.remote
    (decision,) = decisions(env, mail(subject="parsed once", body="a body worth indexing"))
    assert env.delivery.pool.remote == before + 1
    sha = hashlib.sha256(decision.raw).hexdigest()
    assert decision.sha == sha and decision.index is None  # hashed here, not in the worker
    assert ingest._parsed[sha] == ingest.facts_of(mime.parse_message(decision.raw))
    assert search._terms_cache[sha] == search.terms_of(decision.raw)


def test_a_decision_made_here_parses_the_stored_copy_once(env: Env) -> None:
    """Without a worker (or with it busy) the decision runs on a reader thread here, and
    as in the worker one parse there gives ingest its Facts and the indexer its terms."""
    import hashlib

    from postvak.protocols import mime
    from postvak.store import ingest, search

    env.delivery.pool.workers = 0
    (decision,) = decisions(env, mail(subject="parsed here once", body="a body worth indexing"))
    assert env.delivery.pool.remote == 0 and decision.index is None
    sha = hashlib.sha256(decision.raw).hexdigest()
    assert decision.sha == sha
    assert ingest._parsed[sha] == ingest.facts_of(mime.parse_message(decision.raw))
    assert search._terms_cache[sha] == search.terms_of(decision.raw)


def test_a_request_crosses_as_plain_values_and_comes_back_equal() -> None:
    """_pack leaves no class of ours (nor a UTC datetime) in the per-message part;
    _unpack in the worker gives back equal arguments, any time zone, models by ref."""
    import pickle
    from datetime import timedelta, timezone

    from postvak.filters import sieve
    from postvak.store.types import Resolved

    pool = delivery_pool.FilterPool(1, None)
    inputs = pipeline.Inputs(1, ("u@example.test",), "keep;", "main", {"other": "stop;"}, frozenset({"inbox"}),
                             delivery_pool.ModelRef(3, b"model"), ("friend@remote.test",), ())  # type: ignore[arg-type]
    args = (Resolved(1, "u@example.test", "tag"), "u+tag@example.test", "a@remote.test", b"raw", inputs)
    for now in (datetime(2024, 6, 3, 12, 0, 0, 123457, tzinfo=UTC), None,
                datetime(2024, 6, 3, 14, 0, tzinfo=timezone(timedelta(hours=2)))):
        for model, arrival in ((delivery_pool.ModelRef(2), pipeline.Arrival("192.0.2.1", "mx.remote.test")),
                               (None, None)):
            kwargs = dict(global_model=model, spam_on=True, spam_hint=None, limits=sieve.Limits(), hostname="mx",
                          now=now, arrival=arrival)
            settings = pool._pickled_settings(kwargs)
            packed = delivery_pool._pack(args, kwargs, settings)
            plain = pickle.dumps(packed[:-1])
            assert b"postvak" not in plain and (now is None or now.tzinfo is not UTC or b"datetime" not in plain)
            assert delivery_pool._unpack(pickle.loads(pickle.dumps(packed)), b"raw") == (args, kwargs)
    assert pool._pickled_settings(dict(kwargs)) is settings  # the same settings: pickled once
    assert pool._pickled_settings({**kwargs, "hostname": "other"}) != settings
