"""servers/core/delivery_worker.py: requests and answers on a worker's socket pair,
in order, whole however large, and a worker that dies fails what it was asked."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import time
from collections.abc import Iterator

import pytest

from postvak.servers.core import delivery_worker


def _handle(request: tuple[str, bytes], blob: bytes) -> object:
    kind, value = request
    if kind == "blob":
        return blob
    if kind == "echo":
        return value
    if kind == "len":
        return len(value)
    if kind == "unpicklable":
        return lambda: None  # the answer does not pickle: the caller gets PicklingError
    if kind == "sleep":
        time.sleep(float(value))
        return None
    if kind == "exit":
        os._exit(3)
    raise ValueError(value.decode())


def _serve(conn: object, parent: int) -> None:
    delivery_worker.serve(conn, parent, _handle, lambda: None)


@pytest.fixture()
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    try:
        yield loop
    finally:
        loop.close()


@pytest.fixture()
def worker(loop: asyncio.AbstractEventLoop) -> Iterator[delivery_worker.Worker]:
    w = delivery_worker.Worker(_serve, ())
    w.attach(loop)
    deadline = time.monotonic() + 60
    while not w.ready and time.monotonic() < deadline:
        loop.run_until_complete(asyncio.sleep(0.02))
    assert w.ready
    try:
        yield w
    finally:
        w.close()
        w.process.join(10)


def test_answers_come_back_in_order(loop: asyncio.AbstractEventLoop, worker: delivery_worker.Worker) -> None:
    futures = [worker.call(("echo", str(n).encode())) for n in range(200)]
    assert worker.waiting == 200
    answers = loop.run_until_complete(asyncio.gather(*futures))
    assert answers == [str(n).encode() for n in range(200)]
    assert worker.waiting == 0


def test_requests_larger_than_the_socket_buffer(loop: asyncio.AbstractEventLoop,
                                                worker: delivery_worker.Worker) -> None:
    """Several megabytes each way: the rest of a request waits for the socket (the loop
    writes it when there is room), an answer arrives in many reads."""
    big = os.urandom(10 << 20)  # more than the socket holds (SEND_BUFFER)
    futures = [worker.call(("len", big)), worker.call(("echo", big)), worker.call(("len", b"x"))]
    assert loop.run_until_complete(asyncio.gather(*futures)) == [len(big), big, 1]


def test_blobs_cross_whole_and_in_order(loop: asyncio.AbstractEventLoop, worker: delivery_worker.Worker) -> None:
    """A request's blob travels beside its pickle: many queued at once (more than the
    socket takes, so most wait in pieces for the loop), each arrives whole, in order."""
    blobs = [os.urandom(n * 7919 % (300 << 10)) + str(n).encode() for n in range(120)]
    futures = [worker.call(("blob", b""), blob) if n % 3 else worker.call(("len", blob))
               for n, blob in enumerate(blobs)]
    answers = loop.run_until_complete(asyncio.gather(*futures))
    assert answers == [blob if n % 3 else len(blob) for n, blob in enumerate(blobs)]
    assert loop.run_until_complete(worker.call(("blob", b""), b"")) == b""  # an empty blob too


def test_an_error_in_the_worker_is_raised_here(loop: asyncio.AbstractEventLoop,
                                               worker: delivery_worker.Worker) -> None:
    with pytest.raises(ValueError, match="no such kind"):
        loop.run_until_complete(worker.call(("fail", b"no such kind")))
    with pytest.raises(pickle.PicklingError):
        loop.run_until_complete(worker.call(("unpicklable", b"")))
    assert loop.run_until_complete(worker.call(("echo", b"still here"))) == b"still here"


def test_a_request_that_does_not_pickle_raises_at_once(worker: delivery_worker.Worker) -> None:
    with pytest.raises(pickle.PicklingError):
        worker.call(("echo", lambda: None))
    assert worker.waiting == 0 and not worker.dead


def test_a_worker_that_exits_fails_what_it_was_asked(loop: asyncio.AbstractEventLoop,
                                                     worker: delivery_worker.Worker) -> None:
    futures = [worker.call(("echo", b"first")), worker.call(("exit", b"")), worker.call(("echo", b"never"))]
    results = loop.run_until_complete(asyncio.gather(*futures, return_exceptions=True))
    assert results[0] == b"first"
    assert all(isinstance(r, delivery_worker.BrokenWorker) for r in results[1:])
    assert worker.dead and not worker.ready and worker.waiting == 0


def test_a_killed_worker_is_noticed(loop: asyncio.AbstractEventLoop, worker: delivery_worker.Worker) -> None:
    waiting = worker.call(("sleep", b"30"))  # busy until killed: no answer can come first
    os.kill(worker.process.pid, signal.SIGKILL)
    with pytest.raises(delivery_worker.BrokenWorker):
        loop.run_until_complete(asyncio.wait_for(waiting, 30))
    assert worker.dead


def test_closing_fails_the_waiting_and_the_worker_exits(loop: asyncio.AbstractEventLoop,
                                                        worker: delivery_worker.Worker) -> None:
    future = worker.call(("echo", b"x"))
    worker.close()
    with pytest.raises(delivery_worker.BrokenWorker):
        loop.run_until_complete(future)
    worker.process.join(10)
    assert worker.process.exitcode == 0  # EOF on its end: a clean exit
