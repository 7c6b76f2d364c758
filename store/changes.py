"""Change notification: in-process bus, plus PostgreSQL NOTIFY/LISTEN between processes.

Store.write publishes a transaction's changes after COMMIT (STYLE.md habit 8). On
PostgreSQL the same changes are also sent with NOTIFY inside the transaction, so
they reach other processes exactly when the data is visible; a listener thread
republishes them here, skipping payloads that came from this process.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import Any

from postvak.store.types import Change

log = logging.getLogger("postvak.store.changes")
CHANNEL = "postvak_changes"
MAX_PAYLOAD = 7000  # PostgreSQL's NOTIFY payload limit is 8000 bytes

Callback = Callable[[list[Change]], None]


class ChangeBus:
    def __init__(self, on_subscribe: Callable[[], None] | None = None) -> None:
        self._on_subscribe = on_subscribe  # starts the PostgreSQL listener lazily
        self._lock = threading.Lock()
        self._subs: dict[int, dict[int, Callback]] = {}
        self._all: dict[int, Callback] = {}  # every account's changes (background jobs)
        self._next = 0

    def subscribe(self, account_id: int, callback: Callback) -> Callable[[], None]:
        """callback(list[Change]) for every committed change of the account; returns unsubscribe()."""
        if self._on_subscribe is not None:
            self._on_subscribe()
        with self._lock:
            self._next += 1
            token = self._next
            self._subs.setdefault(account_id, {})[token] = callback

        def unsubscribe() -> None:
            with self._lock:
                subs = self._subs.get(account_id)
                if subs is not None:
                    subs.pop(token, None)
                    if not subs:
                        del self._subs[account_id]

        return unsubscribe

    def subscribe_all(self, callback: Callback, listen: bool = False) -> Callable[[], None]:
        """callback(list[Change]) for every committed change of any account (the
        background indexer's wake-up); returns unsubscribe(). Hears other processes'
        commits only once some subscriber started the listener: listen=True starts it."""
        if listen and self._on_subscribe is not None:
            self._on_subscribe()
        with self._lock:
            self._next += 1
            token = self._next
            self._all[token] = callback

        def unsubscribe() -> None:
            with self._lock:
                self._all.pop(token, None)

        return unsubscribe

    def publish(self, changes: Iterable[Change]) -> None:
        changes = list(changes)
        with self._lock:
            everything = list(self._all.values())
        for callback in everything:
            if changes:
                _call(callback, changes)
        by_account: dict[int, list[Change]] = {}
        for change in changes:
            by_account.setdefault(change.account_id, []).append(change)
        for account_id, items in by_account.items():
            with self._lock:
                callbacks = list(self._subs.get(account_id, {}).values())
            for callback in callbacks:
                try:
                    callback(list(items))
                except Exception:  # a broken listener must never break the publisher
                    log.exception("change callback failed")


def _call(callback: Callback, changes: list[Change]) -> None:
    try:
        callback(list(changes))
    except Exception:  # a broken listener must never break the publisher
        log.exception("change callback failed")


def encode(origin: str, namespace: str, changes: list[Change]) -> list[str]:
    """JSON payloads for NOTIFY, each under the size limit."""
    rows = [[c.kind, c.account_id, c.mailbox_id, c.uid, c.modseq] for c in changes]
    payloads: list[str] = []
    chunk: list[list[Any]] = []
    size = 0
    for row in rows:
        piece = len(json.dumps(row)) + 1
        if chunk and size + piece > MAX_PAYLOAD:
            payloads.append(json.dumps({"o": origin, "n": namespace, "c": chunk}))
            chunk, size = [], 0
        chunk.append(row)
        size += piece
    if chunk:
        payloads.append(json.dumps({"o": origin, "n": namespace, "c": chunk}))
    return payloads


def decode(payload: str) -> tuple[str, str, list[Change]]:
    data = json.loads(payload)
    return data["o"], data["n"], [Change(*row) for row in data["c"]]


def new_origin() -> str:
    """Identifies this process (and this Store) in NOTIFY payloads."""
    return f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


class ListenerThread(ABC):
    """A daemon thread that hears other processes' commits and republishes them here.

    Subclasses implement `_listen`, which connects, sets `_ready` and hands each payload
    to `_handle` until `_stop` is set; a lost connection is logged and reopened.
    """

    thread_name = "postvak-listen"
    errors: tuple[type[BaseException], ...] = (Exception,)

    def __init__(self, origin: str, namespace: str, bus: ChangeBus) -> None:
        self._origin = origin
        self._namespace = namespace
        self._bus = bus
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()
        self._ready.wait(5)

    @abstractmethod
    def _listen(self) -> None:
        """Connect, set `_ready`, and pass each payload to `_handle` until `_stop` is set."""

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except self.errors:
                if self._stop.is_set():
                    return
                log.exception("%s lost its connection; reconnecting", self.thread_name)
                self._ready.set()
                self._stop.wait(1.0)

    def _handle(self, payload: str) -> None:
        try:
            origin, namespace, changes = decode(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring malformed change payload")
            return
        if origin != self._origin and namespace == self._namespace:
            self._bus.publish(changes)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(3)


class PgListener(ListenerThread):
    """LISTEN on its own autocommit psycopg connection; republishes foreign changes."""

    thread_name = "postvak-pg-listen"

    def __init__(self, conninfo: str, origin: str, namespace: str, bus: ChangeBus) -> None:
        self._conninfo = conninfo
        super().__init__(origin, namespace, bus)

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            self._ready.set()
            while not self._stop.is_set():
                for note in conn.notifies(timeout=0.5):
                    self._handle(note.payload)
