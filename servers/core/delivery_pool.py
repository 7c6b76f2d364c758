"""Spam and Sieve decisions (pipeline.decide) in a worker process, so the classifier,
the most CPU-heavy step of a delivery, runs beside the reactor, SMTP and the store
threads instead of sharing their interpreter lock.

The pool only ever takes work off this process; it never decides alone:
- until the worker has started (spawn takes a second) decisions run here;
- when DEPTH decisions per worker are already waiting, the next runs here too, so
  a burst the worker cannot absorb has both cores classify;
- a broken worker (it died) makes the decisions it had run here, and a new one is
  started for the next. A message is never lost or refused because of the pool.
The worker exits when this process is gone (kill -9 included). Requests and answers
travel on a socket pair per worker, read and written by the loop (delivery_worker.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import pickle
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from postvak.servers.core import delivery_worker
from postvak.store import ingest, search

# Decisions waiting per worker before the next runs here. One made here classifies on this
# process's interpreter, where the loop and the store writer wait for the GIL meanwhile: a
# deep queue keeps that for bursts the worker cannot absorb. With ProcessPoolExecutor
# (4 KB x 50): 2: 147 msg/s, 8 and 32: 215; with the socket pairs, 8 -> 32 (3 pairs): 4 KB
# x 50 836/788/900 -> 1361/1012/1172 msg/s, 100 KB x 50 255/266/279 -> 305/280/288, 100 KB
# x 10 310/314/324 -> 319/311/303 (10 sessions seldom fill a deeper queue: noise or a loss).
DEPTH = 32

_cache: Any = None  # the worker's compiled-script cache
_models: OrderedDict[int, bytes] = OrderedDict()  # the worker's spam models: {token: bytes}, recent last
NEED_MODEL = "need-model"  # the worker's answer to a ModelRef it holds no bytes for
MAX_MODELS = 16  # models the worker keeps (the global one and the busiest users')


@dataclasses.dataclass(frozen=True)
class ModelRef:
    """A spam model (the global one or the recipient's) in a decision's arguments: a
    trained one is about 1 MB, and piping it to the worker with every message cost the
    server 1 ms per message (4 KB x 50: 590 -> 386 msg/s). The bytes travel once per
    model change (`data`), then the token alone; a worker without them answers
    NEED_MODEL and gets them."""

    token: int
    data: bytes | None = None


def _resolve(ref: ModelRef) -> bytes | None:
    """In the worker: the bytes of `ref` (kept for the next time), None if not held.
    The same bytes object every time: pipeline's model cache knows it at once."""
    if ref.data is not None:
        _models[ref.token] = ref.data
        while len(_models) > MAX_MODELS:
            _models.popitem(last=False)
    data = _models.get(ref.token)
    if data is not None:
        _models.move_to_end(ref.token)
    return data


def default_workers() -> int:
    """One worker when there is a second core to run it on."""
    return 1 if (os.cpu_count() or 1) >= 2 else 0


def _ready() -> None:
    from postvak.servers.core import pipeline  # noqa: F401 - import the filters now, not at the first message


def _serve(conn: Any, parent: int) -> None:
    """The worker process (spawned): answer _decide calls on its socket pair."""
    delivery_worker.serve(conn, parent, _decide, _ready)


def _decide(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """In the worker: pipeline.decide with the worker's own script cache, plus the
    parse and the search terms of the copy that will be stored (ingest's parse and the
    full-text indexer's CPU half: 1.5 ms for 100 KB, otherwise spent later on the
    server's interpreter)."""
    global _cache
    from postvak.servers.core import pipeline

    if _cache is None:
        _cache = pipeline.ScriptCache()
    ref, inputs = kwargs.get("global_model"), args[4]
    if isinstance(ref, ModelRef):
        kwargs = {**kwargs, "global_model": _resolve(ref)}
        if kwargs["global_model"] is None:
            return NEED_MODEL
    if isinstance(inputs.user_model, ModelRef):
        inputs = dataclasses.replace(inputs, user_model=_resolve(inputs.user_model))
        if inputs.user_model is None:
            return NEED_MODEL
        args = (*args[:4], inputs, *args[5:])
    return _shrink(with_index(pipeline.decide(*args, cache=_cache, **kwargs)), args[3])


def with_index(decision: Any) -> Any:
    """`decision` with the ingest Facts and search terms of the copy it stores (one mime
    parse serves both; without it ingest and the indexer parse it once each)."""
    if not decision.filings:
        return decision
    parsed, terms = search.parsed_terms(decision.raw)
    return dataclasses.replace(decision, index=(ingest.facts_of(parsed), terms))


def settle_index(decision: Any) -> Any:
    """with_index's values handed to the store's caches (ingest and the indexer find
    them there) under the copy's sha256, hashed here, in the process that stores these
    bytes (the blob store takes it as their key: one hash per copy, not one per process);
    the decision without them, with the sha."""
    if decision.index is None:
        return decision
    facts, terms = decision.index
    sha = hashlib.sha256(decision.raw).hexdigest()
    search.remember_terms(sha, terms)
    ingest.remember_facts(sha, facts)
    return dataclasses.replace(decision, index=None, sha=sha)


def decide_here(args: tuple[Any, ...], kwargs: dict[str, Any], cache: Any) -> Any:
    """pipeline.decide in this process (a reader thread), with the stored copy's parse
    done once as in the worker."""
    from postvak.servers.core import pipeline

    return settle_index(with_index(pipeline.decide(*args, cache=cache, **kwargs)))


def _shrink(decision: Any, raw: bytes) -> tuple[Any, tuple[int, bytes] | None]:
    """(decision without its copy, (offset, inserted lines)) when the stored copy is the
    arrived `raw` with lines inserted below its top trace fields (pipeline.with_verdict):
    the caller has `raw`, so only the verdict lines cross the pipe, not the message twice
    more (pickled here, unpickled there). Any other copy goes back whole."""
    from postvak.servers.core import pipeline

    copy = decision.raw
    end = pipeline.trace_end(raw)
    extra = len(copy) - len(raw)
    if extra < 0 or copy[:end] != raw[:end] or copy[end + extra:] != raw[end:]:
        return decision, None
    return dataclasses.replace(decision, raw=b""), (end, copy[end:end + extra])


def _grow(result: tuple[Any, tuple[int, bytes] | None], raw: bytes) -> Any:
    """_shrink undone: the decision with its stored copy, byte for byte."""
    decision, patch = result
    if patch is None:
        return decision
    end, lines = patch
    return dataclasses.replace(decision, raw=raw[:end] + lines + raw[end:] if lines else raw)


class FilterPool:
    def __init__(self, workers: int, log: Any) -> None:
        self.workers = workers
        self.log = log
        self.remote = 0  # decisions the pool made (for tests and logs)
        self._procs: list[delivery_worker.Worker] = []
        # Models by identity (the store hands out one bytes object per model version,
        # ingest.delivery_state): id -> (the bytes, kept alive so the id stays theirs; token)
        self._tokens: OrderedDict[int, tuple[bytes, int]] = OrderedDict()
        self._next_token = 0
        self._shipped: set[int] = set()  # tokens the workers of this pool hold

    @property
    def ready(self) -> bool:
        """A worker has started (until then decisions run here)."""
        return any(w.ready for w in self._procs)

    @property
    def waiting(self) -> int:
        """Decisions sent to the workers and not answered yet."""
        return sum(w.waiting for w in self._procs)

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Spawn the workers now (the server calls this at start-up); else at the first decision."""
        self.close()
        self._shipped = set()
        self._procs = [delivery_worker.Worker(_serve, ()) for _ in range(self.workers)]
        if loop is not None:
            for w in self._procs:
                w.attach(loop)

    async def decide(self, loop: asyncio.AbstractEventLoop, here: Callable[[], Awaitable[Any]],
                     args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """pipeline.decide(*args, **kwargs) in a worker, or `here()` (this process)."""
        if not self._procs:
            self.start(loop)
        elif any(w.dead for w in self._procs):  # one died: a new one for the next decisions
            self._procs = [delivery_worker.Worker(_serve, ()) if w.dead else w for w in self._procs]
            self._shipped = set()
        for w in self._procs:
            w.attach(loop)
        ready = [w for w in self._procs if w.ready]
        if not ready or self.waiting >= self.workers * DEPTH:
            return await here()
        worker = min(ready, key=lambda w: w.waiting)
        procs = self._procs
        try:
            sent, tokens = self._by_ref(args, kwargs, resend=False)
            result = await worker.call(*sent)
            if result == NEED_MODEL:
                sent, tokens = self._by_ref(args, kwargs, resend=True)
                result = await worker.call(*sent)
            if self._procs is procs:
                self._shipped.update(tokens)
        except (BrokenProcessPool, pickle.PicklingError) as exc:
            self.log.warning("delivery.filter_pool_failed", error=repr(exc))
            if self._procs is procs:
                worker.close()  # the next decision starts a new set
            return await here()
        self.remote += 1
        return settle_index(_grow(result, args[3]))  # the store's ingest needs no parse of its own

    def _by_ref(self, args: tuple[Any, ...], kwargs: dict[str, Any],
                resend: bool) -> tuple[tuple[tuple[Any, ...], dict[str, Any]], list[int]]:
        """(args, kwargs) with the global and the recipient's model as ModelRefs (with
        their bytes when not shipped yet, or `resend`), and the tokens they use. Equal
        bytes under a new object cost one needless send, never a wrong model."""
        tokens: list[int] = []

        def ref(model: bytes) -> ModelRef:
            hit = self._tokens.get(id(model))
            if hit is None or hit[0] is not model:
                self._next_token += 1
                hit = self._tokens[id(model)] = (model, self._next_token)
                while len(self._tokens) > MAX_MODELS:  # the worker keeps as many
                    self._shipped.discard(self._tokens.popitem(last=False)[1][1])
            self._tokens.move_to_end(id(model))
            token = hit[1]
            tokens.append(token)
            return ModelRef(token, model if resend or token not in self._shipped else None)

        inputs = args[4]
        if inputs.user_model:
            args = (*args[:4], dataclasses.replace(inputs, user_model=ref(inputs.user_model)), *args[5:])
        if kwargs.get("global_model"):
            kwargs = {**kwargs, "global_model": ref(kwargs["global_model"])}
        return (args, kwargs), tokens

    def close(self) -> None:
        for w in self._procs:
            w.close()
        self._procs = []
