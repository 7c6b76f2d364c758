"""Runs store work off the reactor thread.

Writes go to ONE writer thread that drains its queue and commits the whole batch at
once (`Store.write_batch`, a SAVEPOINT per job): one fsync for many deliveries. On
this 2-core machine that measured several times faster than a transaction per thread
and than SQLAlchemy's async engine (see README, "Why a writer thread"). Reads run on
a few reader threads on one queue; SQLite in WAL mode lets them proceed beside the writer.
A read is handed over as (job, asyncio future) and settled with one call_soon_threadsafe:
run_in_executor's concurrent future and the chaining between the two futures cost
17-40 us per call against 10-15 us (in-process, 20 tasks x 2000 no-op reads).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from postvak.servers.core.logs import LOGGER_NAME, EventLogger

T = TypeVar("T")

_STOP = object()


class StoreRunner:
    def __init__(
        self,
        store: Any,
        loop: asyncio.AbstractEventLoop,
        *,
        readers: int = 4,
        max_batch: int = 256,
        log: EventLogger | None = None,
    ) -> None:
        self.store = store
        self._loop = loop
        self._max_batch = max_batch
        self._log = log or EventLogger()
        # SimpleQueue: its put is C (Queue's notifies a Condition in Python, under the GIL).
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        # The writer thread keeps its connection between batches (Store.writer), when the
        # store offers that (test doubles may not).
        make_writer = getattr(store, "writer", None)
        self._batch_writer = make_writer() if make_writer is not None else store
        self._reads: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._readers = [
            threading.Thread(target=self._read_loop, name=f"store-read_{i}", daemon=True) for i in range(readers)
        ]
        self._writer = threading.Thread(target=self._write_loop, name="store-write", daemon=True)
        self._writer.start()
        self._closed = False
        # group-commit counters (jobs / batches = how well concurrent writers batch up)
        self.batches = 0
        self.batched_jobs = 0
        self._log_batches = logging.getLogger(LOGGER_NAME).isEnabledFor(logging.DEBUG)
        self._local = threading.local()
        self._kept: list[Any] = []  # every reader thread's Store.reader(), closed in close()
        self._reader_lock = threading.Lock()
        self._here: Any = None  # the reactor thread's kept reader (read_here)
        self._here_thread = 0
        for thread in self._readers:
            thread.start()

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        future: asyncio.Future[T] = self._loop.create_future()
        self._reads.put((self._read, (fn, args, kwargs), future))
        return await future

    async def read_here(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A short read (a few indexed rows) run on the calling, reactor, thread with a kept
        connection of its own. A hand-off to a reader thread and back costs more than such a
        read: two thread wake-ups, the GIL changing hands, and the answer waiting for the
        loop's next turn (bench_imap mix: ~0.8 ms in the queue and ~1.8 ms back, p50).
        Only for reads bounded by their arguments: the reactor waits while it runs."""
        reader = self._here
        if reader is None:
            reader = self._keep_reader()
            if reader is None:  # a store without kept connections (test doubles)
                return self.store.read(fn, *args, **kwargs)  # type: ignore[no-any-return]
            self._here, self._here_thread = reader, threading.get_ident()
        elif self._here_thread != threading.get_ident():  # a kept connection serves one thread only
            return await self.read(fn, *args, **kwargs)
        return reader.read(fn, *args, **kwargs)  # type: ignore[no-any-return]

    def _read_loop(self) -> None:
        while True:
            item = self._reads.get()
            if item is _STOP:
                return
            call, args, future = item
            if future.cancelled():  # the caller is gone (e.g. its connection closed)
                continue
            try:
                result = call(*args)
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task, as an executor does
                result = exc
            self._settle_soon(_settle, future, result)

    def _settle_soon(self, settle: Callable[..., None], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody awaits the result any more
            self._loop.call_soon_threadsafe(settle, *args)

    def _read(self, fn: Callable[..., T], args: Any, kwargs: Any) -> T:
        """On a reader thread: its own kept connection (Store.reader), when the store has one."""
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._keep_reader()
            if reader is None:  # a store without kept connections (test doubles)
                return self.store.read(fn, *args, **kwargs)
            self._local.reader = reader
        return reader.read(fn, *args, **kwargs)  # type: ignore[no-any-return]

    def _keep_reader(self) -> Any:
        """A new Store.reader() for the calling thread, closed in close(); None when the
        store has no kept connections."""
        make = getattr(self.store, "reader", None)
        if make is None:
            return None
        reader = make()
        with self._reader_lock:
            self._kept.append(reader)
        return reader

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self._closed:
            raise RuntimeError("store runner is shut down")
        future: asyncio.Future[T] = self._loop.create_future()
        self._jobs.put((fn, args, kwargs, future))
        return await future

    async def offload(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """CPU-bound or blocking work that is not a transaction (hashing, blob reads)."""
        future: asyncio.Future[T] = self._loop.create_future()
        self._reads.put((lambda: fn(*args, **kwargs), (), future))
        return await future

    def _write_loop(self) -> None:
        while True:
            first = self._jobs.get()
            if first is _STOP:
                return
            batch = [first]
            stop_after = False
            while len(batch) < self._max_batch:
                try:
                    item = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop_after = True
                    break
                batch.append(item)
            self._run_batch(batch)
            if stop_after:
                return

    def _run_batch(self, batch: list[Any]) -> None:
        self.batches += 1
        self.batched_jobs += len(batch)
        if self._log_batches:
            self._log.debug("store.batch", jobs=len(batch), queued=self._jobs.qsize())
        try:
            results = self._batch_writer.write_batch([(fn, args, kwargs) for fn, args, kwargs, _ in batch])
        except Exception as exc:  # the commit itself failed: every job in it failed
            self._log.error("store.batch_failed", jobs=len(batch), error=repr(exc))
            results = [exc] * len(batch)
        # One wake-up of the reactor for the whole batch, not one per job.
        self._settle_soon(_settle_all, [(future, result) for (_, _, _, future), result in zip(batch, results, strict=True)])

    def close(self, timeout: float = 10.0) -> None:
        """Finish queued writes (bounded), then stop the threads."""
        if self._closed:
            return
        self._closed = True
        self._jobs.put(_STOP)
        self._writer.join(timeout)
        if self._batch_writer is not self.store and not self._writer.is_alive():
            self._batch_writer.close()
        self._stop_readers(timeout)
        with self._reader_lock:
            kept, self._kept = self._kept, []
        self._here = None
        for reader in kept:
            reader.close()

    def _stop_readers(self, timeout: float) -> None:
        """Cancel the reads not started yet, let running ones finish (bounded)."""
        while True:
            try:
                item = self._reads.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                self._settle_soon(item[2].cancel)
        for _ in self._readers:
            self._reads.put(_STOP)
        for thread in self._readers:
            thread.join(timeout)


def _settle_all(settled: list[tuple[asyncio.Future[Any], Any]]) -> None:
    for future, result in settled:
        _settle(future, result)


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)
