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
import operator
import os
import pickle
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime, timedelta
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
_PACKED = frozenset({"global_model", "now", "arrival"})  # the kwargs _pack carries itself


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
    delivery_worker.serve(conn, parent, _answer, _ready)


# -- the request as plain values ------------------------------------------------------
# Pickling an object of a class costs the class's lookup each time: the request as the
# dataclasses themselves took 13 us (4 KB) to 17 us (100 KB) to pickle, 34-50 us of this
# process's CPU in the server (caches cold); as plain values, the datetime as an integer
# and the settings pickled once, 4 us.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_settings_sent: dict[bytes, dict[str, Any]] = {}  # the worker's: pickled settings -> their values
_getters: dict[type, Callable[[Any], tuple[Any, ...]]] = {}  # dataclass -> its fields' getter


def _values(obj: Any) -> tuple[Any, ...]:
    """A dataclass's fields in order (its __init__'s arguments)."""
    get = _getters.get(type(obj))
    if get is None:
        get = _getters[type(obj)] = operator.attrgetter(*(f.name for f in dataclasses.fields(obj)))
    return get(obj)  # type: ignore[no-any-return]


def _pack(args: tuple[Any, ...], kwargs: dict[str, Any], settings: bytes) -> tuple[Any, ...]:
    """_decide's (args, kwargs) without the message (it travels as the blob) and with
    `settings`, the other kwargs pickled (FilterPool._settings), as plain values."""
    from postvak.servers.core import pipeline

    rcpt, original_to, mail_from, _raw, inputs = args
    user = inputs.user_model  # by name: Inputs as a dict, its model as (token, bytes)
    fields = {**vars(inputs), "user_model": (user.token, user.data)} if isinstance(user, ModelRef) else vars(inputs)
    model, now, arrival = kwargs.get("global_model"), kwargs.get("now"), kwargs.get("arrival")
    assert isinstance(inputs, pipeline.Inputs) and (model is None or isinstance(model, ModelRef))
    # a datetime in UTC as its microseconds since 1970 (exact), any other as it is
    when = (now - EPOCH) // _MICROSECOND if isinstance(now, datetime) and now.tzinfo is UTC else now
    return (_values(rcpt), original_to, mail_from, fields, None if model is None else (model.token, model.data),
            when, None if arrival is None else _values(arrival), settings)


def _unpack(request: tuple[Any, ...], raw: bytes) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """In the worker: _pack undone."""
    from postvak.servers.core import pipeline
    from postvak.store.types import Resolved

    rcpt, original_to, mail_from, fields, model, when, arrival, settings = request
    if isinstance(fields["user_model"], tuple):
        fields = {**fields, "user_model": ModelRef(*fields["user_model"])}
    kwargs = _settings_sent.get(settings)
    if kwargs is None:
        if len(_settings_sent) >= 8:
            _settings_sent.clear()
        kwargs = _settings_sent[settings] = pickle.loads(settings)
    kwargs = {**kwargs, "global_model": None if model is None else ModelRef(*model),
              "now": EPOCH + when * _MICROSECOND if isinstance(when, int) else when,
              "arrival": None if arrival is None else pipeline.Arrival(*arrival)}
    return (Resolved(*rcpt), original_to, mail_from, raw, pipeline.Inputs(**fields)), kwargs


def _answer(request: tuple[Any, ...], raw: bytes) -> Any:
    """In the worker: _decide of a packed request; the decision without its recipient
    (the caller has it: one dataclass less to pickle and unpickle)."""
    result = _decide(*_unpack(request, raw))
    if result == NEED_MODEL:
        return result
    decision, patch = result
    return dataclasses.replace(decision, recipient=None), patch


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
    return dataclasses.replace(decision, index=None, sha=_remember(decision.raw, decision.index))


def _remember(raw: bytes, index: tuple[Any, search.Terms]) -> str:
    facts, terms = index
    sha = hashlib.sha256(raw).hexdigest()
    search.remember_terms(sha, terms)
    ingest.remember_facts(sha, facts)
    return sha


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
    view = memoryview(raw)  # compared in place: slicing the copies took 54 us at 100 KB, this 1 us
    if extra < 0 or not copy.startswith(view[:end]) or not copy.endswith(view[end:]):
        return decision, None
    return dataclasses.replace(decision, raw=b""), (end, copy[end:end + extra])


def _grow(result: tuple[Any, tuple[int, bytes] | None], raw: bytes) -> Any:
    """_shrink undone: the decision with its stored copy, byte for byte."""
    decision, patch = result
    return decision if patch is None else dataclasses.replace(decision, raw=_copy(patch, raw))


def _copy(patch: tuple[int, bytes], raw: bytes) -> bytes:
    """The stored copy: `raw` with the patch's lines inserted (one copy of `raw`, not three)."""
    end, lines = patch
    if not lines:
        return raw
    view = memoryview(raw)
    return b"".join((view[:end], lines, view[end:]))


def _finish(result: tuple[Any, tuple[int, bytes] | None], raw: bytes, recipient: Any) -> Any:
    """The worker's answer made whole (_grow, then settle_index, in one dataclass copy)."""
    decision, patch = result
    copy = decision.raw if patch is None else _copy(patch, raw)
    sha = _remember(copy, decision.index) if decision.index is not None else decision.sha
    return dataclasses.replace(decision, recipient=recipient, raw=copy, index=None, sha=sha)


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
        self._settings: tuple[tuple[Any, ...], bytes] = ((), b"")  # the last settings and their pickle

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
            settings = self._pickled_settings(kwargs)
            sent, tokens = self._by_ref(args, kwargs, resend=False)
            result = await worker.call(_pack(*sent, settings), args[3])
            if result == NEED_MODEL:
                sent, tokens = self._by_ref(args, kwargs, resend=True)
                result = await worker.call(_pack(*sent, settings), args[3])
            if self._procs is procs:
                self._shipped.update(tokens)
        except (BrokenProcessPool, pickle.PicklingError) as exc:
            self.log.warning("delivery.filter_pool_failed", error=repr(exc))
            if self._procs is procs:
                worker.close()  # the next decision starts a new set
            return await here()
        self.remote += 1
        return _finish(result, args[3], args[0])  # the store's ingest needs no parse of its own

    def _pickled_settings(self, kwargs: dict[str, Any]) -> bytes:
        """The kwargs _pack does not carry, pickled: again only when one is another object
        than the last time (the server passes the same settings, frozen dataclasses made
        at start, to every decision)."""
        items = tuple(item for item in kwargs.items() if item[0] not in _PACKED)
        last, data = self._settings
        if len(items) != len(last) or any(a[0] != b[0] or a[1] is not b[1] for a, b in zip(items, last, strict=True)):
            data = delivery_worker.dumps(dict(items))
            self._settings = items, data
        return data

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
