"""The Store: engine setup, transactions, group commit, and publishing changes.

Every store function takes a `Tx` first: `tx.conn` (SQLAlchemy Connection),
`tx.changes` (list of Change, published after COMMIT), `tx.blobs` (BlobStore).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from postvak.store.blobs import INLINE_MAX, BlobStore, DatabaseBlobs, FileBlobs
from postvak.store.changes import CHANNEL, ChangeBus, PgListener, encode, new_origin
from postvak.store.sqlite_listen import ChangeLogWriter, SqliteListener
from postvak.store.types import Change

log = logging.getLogger("postvak.store")
Job = tuple[Callable[..., Any], Sequence[Any], dict[str, Any]]


class Tx:
    """One transaction (or one SAVEPOINT inside a batch)."""

    def __init__(self, conn: Connection, blobs: BlobStore, dialect: str) -> None:
        self.conn = conn
        self.blobs = blobs
        self.dialect = dialect
        self.changes: list[Change] = []
        self.pending_blobs: dict[str, str] = {}  # sha -> temp file, made durable before COMMIT
        self._cursor: Any = None

    def cursor(self) -> Any:
        """One DB-API cursor for the transaction's util.Prepared statements: making one per
        statement cost psycopg more than binding the statement's parameters."""
        if self._cursor is None:
            self._cursor = self.conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        return self._cursor

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"


class Store:
    def __init__(
        self, url: str, *, blob_backend: str = "files", blob_dir: str | None = None, blob_inline_max: int = INLINE_MAX
    ) -> None:
        self.url = make_url(url)
        self.dialect = self.url.get_backend_name()
        if self.dialect == "sqlite":
            memory = not self.url.database or self.url.database == ":memory:"
            pool = {} if memory else {"pool_size": 8, "max_overflow": 8}
            self.engine = create_engine(self.url, connect_args={"check_same_thread": False, "timeout": 60}, **pool)
            self._sqlite_events()
        elif self.dialect == "postgresql":
            self.engine = create_engine(self.url, pool_size=8, max_overflow=8, pool_pre_ping=True)
        else:
            raise ValueError(f"store.url: unsupported database {self.dialect!r} (use sqlite or postgresql+psycopg)")
        self.blobs: BlobStore
        if blob_backend == "database":
            self.blobs = DatabaseBlobs(self.engine)
        elif blob_backend == "files":
            if blob_dir is None:
                if self.dialect != "sqlite" or not self.url.database or self.url.database == ":memory:":
                    raise ValueError("store.blob_dir: needed for the files blob backend")
                blob_dir = os.path.join(os.path.dirname(os.path.abspath(self.url.database)), "blobs")
            self.blobs = FileBlobs(self.engine, blob_dir, blob_inline_max)
        else:
            raise ValueError(f"store.blob_backend: {blob_backend!r} is not 'files' or 'database'")
        self.changes = ChangeBus(self._start_listener)
        self.origin = new_origin()
        self._namespace = ""
        self._listener: PgListener | SqliteListener | None = None
        # Another process can only hear a SQLite file's commits through its change log.
        self._sqlite_path = self.url.database if self.dialect == "sqlite" and self.url.database not in (None, "", ":memory:") else None
        self._change_log = ChangeLogWriter() if self._sqlite_path else None
        self._closed = False
        self._lock = threading.Lock()
        if self.dialect == "postgresql":
            with self.engine.connect() as conn:
                self._namespace = conn.execute(text("SELECT current_database() || '.' || current_schema()")).scalar_one()

    def _sqlite_events(self) -> None:
        @event.listens_for(self.engine, "connect")
        def on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # durable at COMMIT
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            # A batch of ingests dirties many index pages; a small page cache spills them
            # to the WAL mid-transaction, writing the same pages several times.
            cur.execute("PRAGMA cache_size=-65536")  # KiB
            cur.close()

        @event.listens_for(self.engine, "begin")
        def on_begin(conn: Connection) -> None:
            # Straight to the driver: through exec_driver_sql a BEGIN cost ~10 us of SQLAlchemy.
            driver = conn.connection.driver_connection
            if conn.get_execution_options().get("postvak_write", False):
                # Writers take the write lock up front: a deferred BEGIN that later upgrades
                # can fail with SQLITE_BUSY instead of waiting (WAL snapshot rule).
                _driver_sql(conn, driver, "BEGIN IMMEDIATE")
            elif not driver.in_transaction:  # type: ignore[union-attr]
                # (else a Reader's transaction begun at the driver, see there: a Core
                # statement in it makes SQLAlchemy begin too, which joins it.)
                _driver_sql(conn, driver, "BEGIN")

    def _start_listener(self) -> None:
        with self._lock:
            if self._listener is not None or self._closed:
                return
            if self._sqlite_path is not None:
                self._listener = SqliteListener(self._sqlite_path, self.origin, self.changes)
                return
            if self.dialect != "postgresql":
                return
            conninfo = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._listener = PgListener(conninfo, self.origin, self._namespace, self.changes)

    # -- public API ------------------------------------------------------------------
    def migrate(self) -> None:
        """Alembic upgrade to head (serialised between processes on PostgreSQL)."""
        from postvak.store.migrate import upgrade

        upgrade(self.engine)
        self.blobs.sweep()  # temp files a crash left behind

    def read(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self.engine.connect() as conn:
            with conn.begin():
                tx = Tx(conn, self.blobs, self.dialect)
                return fn(tx, *args, **kwargs)

    def reader(self) -> Reader:
        """A connection kept for many reads by one thread (see Reader)."""
        return Reader(self)

    def write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """fn(tx, ...) in one transaction; changes are published after COMMIT."""
        for attempt in range(4):
            try:
                with self.engine.connect() as conn:
                    conn.execution_options(postvak_write=True)
                    tx = Tx(conn, self.blobs, self.dialect)
                    try:
                        with conn.begin():
                            result = fn(tx, *args, **kwargs)
                            self._before_commit(conn, tx.pending_blobs, tx.changes)
                    except BaseException:
                        self.blobs.discard(tx.pending_blobs)
                        raise
                break
            except OperationalError as exc:
                if not _retryable(exc) or attempt == 3:
                    raise
                time.sleep(0.01 * (attempt + 1))
        self.changes.publish(tx.changes)
        return result

    def write_batch(self, jobs: Sequence[Job]) -> list[Any]:
        """Group commit: each job in a SAVEPOINT, one COMMIT; returns result or exception per job."""
        with self.engine.connect() as conn:
            conn.execution_options(postvak_write=True)
            return self._batch(conn, jobs)

    def writer(self) -> Writer:
        """A connection kept for many batches by one writing thread (see Writer)."""
        return Writer(self)

    def _batch(self, conn: Connection, jobs: Sequence[Job]) -> list[Any]:
        results: list[Any] = []
        changes: list[Change] = []
        pending: dict[str, str] = {}
        try:
            with conn.begin():
                # The job savepoints go straight to the driver: through begin_nested() they
                # cost ~60 us of SQLAlchemy per job, more than some jobs themselves.
                cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
                try:
                    for fn, args, kwargs in jobs:
                        tx = Tx(conn, self.blobs, self.dialect)
                        tx._cursor = cursor  # the jobs' Prepared statements too: one cursor a batch
                        tx.pending_blobs = pending  # one batch shares its not-yet-renamed files
                        before = dict(pending)
                        cursor.execute("SAVEPOINT postvak_job")
                        try:
                            result = fn(tx, *args, **kwargs)
                        except Exception as exc:  # this job only: its savepoint rolls back
                            cursor.execute("ROLLBACK TO SAVEPOINT postvak_job")
                            cursor.execute("RELEASE SAVEPOINT postvak_job")
                            self.blobs.discard({k: v for k, v in pending.items() if k not in before})
                            for k in [k for k in pending if k not in before]:
                                del pending[k]
                            results.append(exc)
                            continue
                        cursor.execute("RELEASE SAVEPOINT postvak_job")
                        results.append(result)
                        changes.extend(tx.changes)
                finally:
                    cursor.close()
                self._before_commit(conn, pending, changes)
        except BaseException:
            self.blobs.discard(pending)
            raise
        self.changes.publish(changes)
        return results

    def _before_commit(self, conn: Connection, pending: dict[str, str], changes: list[Change]) -> None:
        self.blobs.flush(pending)
        if self.dialect == "postgresql" and changes:
            for payload in encode(self.origin, self._namespace, changes):
                conn.execute(text("SELECT pg_notify(:ch, :p)"), {"ch": CHANNEL, "p": payload})
        elif self._change_log is not None and changes:
            self._change_log.log_changes(conn, self.origin, encode(self.origin, self._namespace, changes))

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._listener is not None:
            self._listener.close()
        self.engine.dispose()


class _KeptConnection:
    """One pooled connection kept checked out by one thread between transactions; after
    any error it is closed and the next use takes a fresh one from the pool."""

    _role = "kept"

    def __init__(self, store: Store) -> None:
        self._store = store
        self._conn: Connection | None = None

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._store.engine.connect()
            self._opened(self._conn)
        return self._conn

    def _opened(self, conn: Connection) -> None:
        """Per-connection setup for subclasses."""

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already broken: the pool discards it
                log.debug("closing the %s connection failed", self._role, exc_info=True)


class Reader(_KeptConnection):
    """Read transactions on one connection that stays checked out between them.

    ``Store.read`` checks a connection out of the pool and back in (with its reset) for
    every transaction: a quarter of the cost of a one-row read on SQLite. A thread that
    reads all day (the server's store-read threads) keeps one of these instead. Not
    thread-safe: one per thread. After any error the connection is closed and the next
    read takes a fresh one from the pool (PostgreSQL's pre-ping then applies again).

    On SQLite the transaction is begun and committed on a kept driver cursor, which the
    Tx's Prepared statements use too: SQLAlchemy's transaction object, its begin event
    and its commit cost ~4.5 us a read, as much as a one-row lookup itself. A Core
    statement in `fn` still works: SQLAlchemy then begins its own transaction, which
    joins the driver's (on_begin), and commits it.
    """

    _role = "reader"
    _cursor: Any = None  # SQLite: the kept driver cursor

    def _opened(self, conn: Connection) -> None:
        if self._store.dialect == "sqlite":
            self._cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def read(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        conn = self._connection()
        try:
            cursor = self._cursor
            if cursor is None:
                with conn.begin():
                    return fn(Tx(conn, self._store.blobs, self._store.dialect), *args, **kwargs)
            _driver_sql(conn, cursor, "BEGIN")
            tx = Tx(conn, self._store.blobs, self._store.dialect)
            tx._cursor = cursor
            result = fn(tx, *args, **kwargs)
            if conn.in_transaction():  # SQLAlchemy joined (a Core statement): its commit ends both
                conn.commit()
            else:
                _driver_sql(conn, cursor, "COMMIT")
            return result
        except BaseException:
            self.close()  # the pool's reset on return rolls an open transaction back
            raise

    def close(self) -> None:
        self._cursor = None
        super().close()


class Writer(_KeptConnection):
    """Group commits on one connection that stays checked out between them.

    The server's writer thread keeps one: checking a connection out of the pool and back
    in for every batch costs a pool reset and, on PostgreSQL, a pre-ping round trip.
    Not thread-safe: one per thread. After any error the connection is closed and the
    next batch takes a fresh one from the pool.
    """

    _role = "writer"

    def _opened(self, conn: Connection) -> None:
        conn.execution_options(postvak_write=True)
        if self._store.dialect == "sqlite":
            # Each job runs in a SAVEPOINT whose undo journal (the job's changed pages,
            # 16 or so per delivery) SQLite spills past 64 KiB to a temp file: a create,
            # unlink and two writes per page. Kept in memory it costs 40 us less per
            # delivered message (4 KB, batches of 8), mostly system time.
            conn.connection.driver_connection.execute("PRAGMA temp_store=MEMORY")  # type: ignore[union-attr]

    def write_batch(self, jobs: Sequence[Job]) -> list[Any]:
        conn = self._connection()
        try:
            return self._store._batch(conn, jobs)
        except BaseException:
            self.close()
            raise


def _driver_sql(conn: Connection, target: Any, sql: str) -> None:
    """`sql` on a driver connection or cursor; its errors come out as SQLAlchemy's, as
    through `Connection.exec_driver_sql`."""
    try:
        target.execute(sql)
    except conn.dialect.loaded_dbapi.Error as err:
        raise DBAPIError.instance(sql, (), err, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect) from err


def _retryable(exc: OperationalError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    return code in ("40P01", "40001")  # deadlock detected, serialization failure


def open_store(
    url: str, *, blob_backend: str = "files", blob_dir: str | None = None, blob_inline_max: int = INLINE_MAX
) -> Store:
    """Open a store: `sqlite:///path/mail.db` or `postgresql+psycopg://user@host/db`.
    With the files backend, blobs up to `blob_inline_max` bytes are kept in the database
    row (0: every blob is a file)."""
    return Store(str(url), blob_backend=blob_backend, blob_dir=blob_dir, blob_inline_max=blob_inline_max)
