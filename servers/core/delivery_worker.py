"""One filter worker process on its own socket pair, driven by the event loop: the
delivery pool's transport (delivery_pool.py decides what is sent).

concurrent.futures' ProcessPoolExecutor moves every call through two threads of this
process (a queue feeder that pickles and writes, a manager that reads and settles),
each woken per call: about 0.2 ms of this process's CPU per message. Here the loop
thread pickles and writes the request itself (non-blocking, the rest when the socket
takes it) and reads the answers in a reader callback. The worker answers in order,
one request at a time, so answers settle the waiting futures first in, first out.

Frames both ways: two 8-byte big-endian lengths, then a pickle and a blob of bytes.
The blob is a request's message: it crosses without a copy here (the loop hands the
kernel the pieces, os.writev), where pickling it in and framing it were two copies of
100 KB per message. The worker's first frame says it is ready; a worker that exits or
breaks the pipe fails every waiting future with BrokenWorker (the caller decides those
here) and is replaced by the pool.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import pickle
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

HEADER = 16  # the pickle's length, the blob's
READ_SIZE = 1 << 20  # the worker's reads (of a known length)
# The loop's reads: os.read allocates what it may return, and 1 MB for a 1.7 KB answer
# cost 15 us per read, 64 KB 1 us.
LOOP_READ = 64 << 10
# Requests the socket holds while the worker is busy (the loop needs no writer callbacks
# until they fill it): at 100 KB x 10 sessions, with the default 208 KB, 40 % of the
# requests waited in the loop for room. Linux caps it at net.core.wmem_max.
SEND_BUFFER = 4 << 20
IOV_MAX = 512  # pieces per writev (Linux takes 1024)
READY = "ready"


class BrokenWorker(BrokenProcessPool):
    """The worker process is gone (or its pipe broke): nothing it was asked was answered."""


def _header(data: bytes, blob: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + len(blob).to_bytes(8, "big")


# -- the worker process --------------------------------------------------------------
def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _read_exactly(fd: int, n: int) -> bytes | None:
    parts: list[bytes] = []
    while n:
        chunk = os.read(fd, min(n, READ_SIZE))
        if not chunk:
            return None
        parts.append(chunk)
        n -= len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_frame(fd: int) -> tuple[bytes, bytes] | None:
    """(pickle, blob) of the next frame; None at the end of the stream."""
    try:
        header = _read_exactly(fd, HEADER)
        if header is None:
            return None
        payload = _read_exactly(fd, int.from_bytes(header[:8], "big"))
        size = int.from_bytes(header[8:], "big")
        blob = _read_exactly(fd, size) if size else b""
    except OSError:  # reset by the parent's close
        return None
    return None if payload is None or blob is None else (payload, blob)


def serve(conn: Any, parent: int, handler: Callable[[Any, bytes], Any], warm: Callable[[], Any]) -> None:
    """The worker's main loop: answer (ok, handler(request, blob)) per request until
    the parent's end closes; the process also exits when the parent is gone (kill -9)."""
    _watch_parent(parent)
    fd = conn.fileno()
    os.set_blocking(fd, True)
    warm()
    ready = pickle.dumps(READY)
    _write_all(fd, _header(ready, b"") + ready)
    while True:
        frame = _read_frame(fd)
        if frame is None:
            os._exit(0)
        try:
            result: tuple[bool, Any] = (True, handler(pickle.loads(frame[0]), frame[1]))
        except Exception as exc:  # noqa: BLE001 - the parent raises it
            result = (False, exc)
        try:
            answer = dumps(result)
            _write_all(fd, _header(answer, b"") + answer)
        except OSError:  # the parent closed its end: nobody waits for this answer
            os._exit(0)


def dumps(value: Any) -> bytes:
    """pickle.dumps; what does not pickle (a lambda: AttributeError, a lock: TypeError)
    raises PicklingError, which the pool answers by deciding here."""
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001
        if isinstance(value, tuple) and len(value) == 2 and value[0] in (True, False):  # an answer
            return pickle.dumps((False, pickle.PicklingError(repr(exc))))
        raise pickle.PicklingError(repr(exc)) from exc


# -- the parent's end ----------------------------------------------------------------
class Worker:
    """A spawned worker process; `call` sends a request and awaits its answer."""

    def __init__(self, target: Callable[..., None], args: tuple[Any, ...]) -> None:
        ctx = multiprocessing.get_context("spawn")  # no fork of a process with threads
        ours, theirs = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=target, args=(theirs, os.getpid(), *args), name="postvak-filter",
                                   daemon=True)
        self.process.start()
        theirs.close()
        self._conn = ours
        self._fd = ours.fileno()
        os.set_blocking(self._fd, False)
        with socket.socket(fileno=os.dup(self._fd)) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in = bytearray()
        self._out: deque[memoryview] = deque()  # what the socket did not take yet, in pieces
        self._waiting: deque[asyncio.Future[Any]] = deque()
        self.ready = False  # the worker has said so (imports done)
        self.dead = False

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Read answers on `loop` from now on (the first call attaches)."""
        if self._loop is None and not self.dead:
            self._loop = loop
            loop.add_reader(self._fd, self._readable)

    def call(self, request: Any, blob: bytes = b"") -> asyncio.Future[Any]:
        """The answer to handler(request, blob) in the worker; raises pickle errors at once.
        `blob` is sent as it is (not copied: it must not change until it is answered)."""
        assert self._loop is not None and not self.dead
        data = dumps(request)
        future: asyncio.Future[Any] = self._loop.create_future()
        self._waiting.append(future)
        pieces = [_header(data, blob), data, blob] if blob else [_header(data, blob), data]
        if self._out:  # earlier requests still wait for room in the socket
            self._out.extend(memoryview(p) for p in pieces)
            return future
        try:
            sent = os.writev(self._fd, pieces)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._broken()
            return future
        if sent < sum(len(p) for p in pieces):
            self._out.extend(memoryview(p) for p in pieces)
            self._consume(sent)
            self._loop.add_writer(self._fd, self._writable)
        return future

    def _consume(self, sent: int) -> None:
        """Drop `sent` bytes off the front of the pieces waiting to be written."""
        while sent:
            first = self._out[0]
            if sent < len(first):
                self._out[0] = first[sent:]
                return
            sent -= len(first)
            self._out.popleft()

    def _writable(self) -> None:
        try:
            sent = os.writev(self._fd, list(itertools.islice(self._out, IOV_MAX)))
        except BlockingIOError:
            return
        except OSError:
            self._broken()
            return
        self._consume(sent)
        if not self._out and self._loop is not None:
            self._loop.remove_writer(self._fd)

    def _readable(self) -> None:
        try:
            chunk = os.read(self._fd, LOOP_READ)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.close()
            return
        self._in += chunk
        self._settle()

    def _settle(self) -> None:
        while len(self._in) >= HEADER and not self.dead:
            start = HEADER + int.from_bytes(self._in[:8], "big")
            end = start + int.from_bytes(self._in[8:HEADER], "big")  # answers carry no blob
            if len(self._in) < end:
                break
            message = pickle.loads(self._in[HEADER:start])
            del self._in[:end]
            if not self.ready and message == READY:
                self.ready = True
                continue
            if not self._waiting:  # an answer nobody asked for: the stream is out of step
                self.close()
                return
            future = self._waiting.popleft()
            if future.done():
                continue
            ok, value = message
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def _broken(self) -> None:
        """A write failed: the worker is gone, but the answers it wrote before still count."""
        while not self.dead:
            try:
                chunk = os.read(self._fd, LOOP_READ)
            except OSError:
                break
            if not chunk:
                break
            self._in += chunk
            self._settle()
        self.close()

    def close(self) -> None:
        """Stop reading and close this end (the worker exits at EOF); what was asked and
        not answered fails with BrokenWorker. Reaps the process if it has exited."""
        if not self.dead:
            self.dead = True
            self.ready = False
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._fd)
                self._loop.remove_writer(self._fd)
            self._conn.close()
            self.process.join(0)
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_exception(BrokenWorker("the filter worker exited"))
