"""Change notification between processes on SQLite, which has no LISTEN/NOTIFY.

Writers append each commit's change payloads to `change_log` inside the transaction
(`log_changes`), so a row is visible exactly when its data is. A listener thread in a
process with subscribers asks `PRAGMA data_version` (which moves only when another
connection commits) every POLL_SECONDS and, when it moved, reads the new rows and
republishes the ones other processes wrote. Polling every 30 ms keeps IDLE's wake-up
well inside 100 ms at the cost of one PRAGMA per tick.
"""

from __future__ import annotations

import logging
import sqlite3
import time

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from postvak.store.changes import ChangeBus, ListenerThread

log = logging.getLogger("postvak.store.sqlite_listen")
POLL_SECONDS = 0.03
KEEP_SECONDS = 300.0  # only live listeners read the log; a few minutes covers any lag
PRUNE_EVERY = 500  # commits between prunes

# Driver SQL, one executemany per commit: a Core statement's compile-cache lookup and
# binding were 36 us of a 4 KB delivery's main-process time.
_INSERT = "INSERT INTO change_log (created, origin, payload) VALUES (?, ?, ?)"
_PRUNE = text("DELETE FROM change_log WHERE created < :t")


class ChangeLogWriter:
    """Appends payloads in the writer's transaction; prunes old rows now and then."""

    def __init__(self) -> None:
        self._commits = 0
        self._missing = False

    def log_changes(self, conn: Connection, origin: str, payloads: list[str]) -> None:
        if self._missing or not payloads:
            return
        now = time.time()
        try:
            conn.exec_driver_sql(_INSERT, [(now, origin, payload) for payload in payloads])
        except OperationalError as exc:
            # A database not yet migrated to 0005: other processes just cannot hear us;
            # the failed statement leaves SQLite's transaction as it was.
            if "change_log" not in str(exc):
                raise
            self._missing = True
            log.warning("no change_log table (run migrations): other processes will not hear commits")
            return
        self._commits += 1
        if self._commits % PRUNE_EVERY == 0:
            conn.execute(_PRUNE, {"t": now - KEEP_SECONDS})


class SqliteListener(ListenerThread):
    """Polls one SQLite file for other processes' change rows and republishes them."""

    thread_name = "postvak-sqlite-listen"
    errors = (sqlite3.Error,)

    def __init__(self, path: str, origin: str, bus: ChangeBus) -> None:
        self._path = path
        self._last_id: int | None = None
        super().__init__(origin, "", bus)  # a SQLite store's payloads carry no namespace

    def _listen(self) -> None:
        conn = sqlite3.connect(self._path, timeout=60, isolation_level=None, check_same_thread=False)
        try:
            if self._last_id is None:  # only changes committed after we started listening
                self._last_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM change_log").fetchone()[0]
            self._ready.set()
            self._poll(conn)
        finally:
            conn.close()

    def _poll(self, conn: sqlite3.Connection) -> None:
        version = None
        while not self._stop.wait(POLL_SECONDS):
            now = conn.execute("PRAGMA data_version").fetchone()[0]
            if now == version:
                continue
            version = now
            rows = conn.execute(
                "SELECT id, payload FROM change_log WHERE id > ? ORDER BY id", (self._last_id,)
            ).fetchall()
            for row_id, payload in rows:
                self._last_id = row_id
                self._handle(payload)  # skips this process's own payloads by their origin
