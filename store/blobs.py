"""Content-addressed message bytes, shared by every copy of a message.

Two backends behind one interface:
- files (default): <blob_dir>/ab/<sha256> (256 folders made once, so ingest never
  pays for mkdir + parent syncs). put() writes a temp file in the final folder; the
  store's commit path calls flush(), which fsyncs the batch's temp files in parallel,
  renames them into place and fsyncs each touched folder once (also in parallel)
  *before* the database COMMIT, so a committed row always has a durable file.
  Temp files left by a crash are swept by sweep() (Store.migrate calls it).
  Small blobs (up to `inline_max` bytes, 160 KiB by default) skip the file: their
  bytes go in the `blobs` row itself and are durable with the COMMIT, so a typical
  delivery costs no file create, fsync, rename or folder sync at all. open() finds
  either kind.
- database: bytes live in blobs.data, so several hosts can share one PostgreSQL.

Rows in `blobs` carry a refcount (one per message row or queue entry); gc() removes
rows that reached zero, and their files.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import Engine, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from postvak.store import schema
from postvak.store.errors import NotFound
from postvak.store.util import Prepared

_pool: ThreadPoolExecutor | None = None
TEMP_PREFIX = ".tmp-"
SWEEP_AGE = 900  # seconds: a temp file this old belongs to no live transaction
# Bytes: blobs up to this size live in their `blobs` row. bench/bench_blobs.py: a file costs
# a fixed ~0.6-1.4 ms (create, fsync, rename, folder fsync; more on a file system with recent
# deletions), a row ~5 us per KB; inline ingest was cheaper at every size up to 160 KB in
# every run, about even at 256 KB, where reads from the row are also 3x a file's.
INLINE_MAX = 160 * 1024


_pool_lock = threading.Lock()


def _sync_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="postvak-fsync")
        return _pool


def _fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class BlobRef:
    sha256: str
    size: int


def _upsert(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


_PUT: dict[str, Prepared] = {}
# Compiled once and run on the driver cursor (util.Prepared): ingest and expunge run these per message.
_REF = Prepared(
    update(schema.blobs).where(schema.blobs.c.sha256 == bindparam("sha"))
    .values(refcount=schema.blobs.c.refcount + bindparam("n"))
)


def _put_statement(dialect: str) -> Prepared:
    """The upsert of put(), built once per dialect (building it cost more than running it).
    An old row whose bytes are in a file (before inline blobs) gains them inline when
    this backend keeps them there; a row that has them keeps them."""
    stmt = _PUT.get(dialect)
    if stmt is None:
        B = schema.blobs
        ins = _upsert(dialect)(B).values(
            sha256=bindparam("sha"), size=bindparam("size"), refcount=1, data=bindparam("data", type_=B.c.data.type)
        )
        stmt = Prepared(ins.on_conflict_do_update(
            index_elements=["sha256"], set_={"refcount": B.c.refcount + 1, "data": func.coalesce(B.c.data, ins.excluded.data)}
        ).returning(B.c.refcount))
        _PUT[dialect] = stmt
    return stmt


class BlobStore:
    """Base: refcounting in the `blobs` table; subclasses keep the bytes."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name

    # -- used inside a transaction -------------------------------------------------
    def put(self, tx: Any, data: bytes, sha: str | None = None) -> BlobRef:
        """Store `data` (or take one more reference to identical bytes). `sha`: data's
        sha256 hex digest, when the caller computed it in this process from these bytes."""
        if sha is None:
            sha = hashlib.sha256(data).hexdigest()
        stmt = _put_statement(self._dialect)
        refcount = stmt.scalar(tx, {"sha": sha, "size": len(data), "data": self._row_data(data)})
        if refcount == 1:  # a new row (or one awaiting gc): the bytes must be (re)written
            self._write(tx, sha, data)
        return BlobRef(sha, len(data))

    def ref(self, tx: Any, sha256: str, n: int = 1) -> None:
        """Take `n` more references (copies share the bytes)."""
        _REF.execute(tx, {"sha": sha256, "n": n})

    def unref(self, tx: Any, sha256: str, n: int = 1) -> None:
        _REF.execute(tx, {"sha": sha256, "n": -n})

    def refcount(self, tx: Any, sha256: str) -> int:
        value = tx.conn.execute(select(schema.blobs.c.refcount).where(schema.blobs.c.sha256 == sha256)).scalar()
        return int(value or 0)

    def gc(self, tx: Any) -> int:
        """Remove unreferenced blobs; returns how many. Files go before COMMIT so that a
        concurrent put() of the same bytes (waiting on the row lock) rewrites its file."""
        shas = list(
            tx.conn.execute(
                delete(schema.blobs).where(schema.blobs.c.refcount <= 0).returning(schema.blobs.c.sha256)
            ).scalars()
        )
        for sha in shas:
            self._remove(sha)
        return len(shas)

    # -- backend hooks -------------------------------------------------------------
    def _row_data(self, data: bytes) -> bytes | None:
        return None

    def _write(self, tx: Any, sha: str, data: bytes) -> None:
        pass

    def _remove(self, sha: str) -> None:
        pass

    def flush(self, pending: dict[str, str]) -> None:
        """Make the blobs written by one transaction durable (called before COMMIT)."""

    def discard(self, pending: dict[str, str]) -> None:
        """Forget the blobs of a transaction that rolled back."""

    def sweep(self, tx: Any | None = None, min_age: float = SWEEP_AGE) -> int:
        """Remove files a crash left behind (older than `min_age` seconds); returns how many.
        Without `tx` only temp files; with it also files that no `blobs` row names."""
        return 0

    def open(self, sha256: str) -> BinaryIO:
        raise NotImplementedError

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as f:
            return f.read()

    def _row_bytes(self, sha256: str) -> bytes | None:
        with self._engine.connect() as conn:
            data = conn.execute(select(schema.blobs.c.data).where(schema.blobs.c.sha256 == sha256)).scalar()
        return None if data is None else bytes(data)


class DatabaseBlobs(BlobStore):
    def _row_data(self, data: bytes) -> bytes | None:
        return data

    def open(self, sha256: str) -> BinaryIO:
        data = self._row_bytes(sha256)
        if data is None:
            raise NotFound(f"no message data {sha256}")
        return io.BytesIO(data)


class FileBlobs(BlobStore):
    def __init__(self, engine: Engine, directory: str, inline_max: int = INLINE_MAX) -> None:
        super().__init__(engine)
        self.directory = os.path.abspath(directory)
        self.inline_max = inline_max
        if not os.path.isdir(os.path.join(self.directory, "ff")):
            for i in range(256):
                os.makedirs(os.path.join(self.directory, f"{i:02x}"), exist_ok=True)
            _fsync_path(self.directory)

    def path(self, sha: str) -> str:
        return os.path.join(self.directory, sha[:2], sha)

    def _row_data(self, data: bytes) -> bytes | None:
        return data if len(data) <= self.inline_max else None

    def _write(self, tx: Any, sha: str, data: bytes) -> None:
        if sha in tx.pending_blobs or len(data) <= self.inline_max:
            return
        # The temp file sits in its final folder: the rename then touches one folder only.
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=os.path.join(self.directory, sha[:2]))
        try:
            view = memoryview(data)
            while view:  # os.write may write less than asked
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        tx.pending_blobs[sha] = tmp

    def flush(self, pending: dict[str, str]) -> None:
        if not pending:
            return
        # fsync releases the GIL and concurrent syncs share journal commits, so a batch
        # costs a few disk flushes rather than one per message and one per folder.
        _sync_all(list(pending.values()))
        dirs = set()
        for sha, tmp in pending.items():
            final = self.path(sha)
            os.replace(tmp, final)
            dirs.add(os.path.dirname(final))
        _sync_all(sorted(dirs))  # the renames are durable once their folders are
        pending.clear()

    def discard(self, pending: dict[str, str]) -> None:
        for tmp in pending.values():
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        pending.clear()

    def sweep(self, tx: Any | None = None, min_age: float = SWEEP_AGE) -> int:
        cutoff = time.time() - min_age
        removed = 0
        for i in range(256):
            folder = os.path.join(self.directory, f"{i:02x}")
            try:
                entries = list(os.scandir(folder))
            except FileNotFoundError:
                continue
            stale = [e for e in entries if e.name.startswith(TEMP_PREFIX) and _mtime(e) < cutoff]
            if tx is not None:
                # A file renamed into place whose COMMIT never came: no row names it.
                names = [e for e in entries if not e.name.startswith(TEMP_PREFIX) and _mtime(e) < cutoff]
                for j in range(0, len(names), 500):
                    chunk = names[j : j + 500]
                    known = set(tx.conn.execute(
                        select(schema.blobs.c.sha256).where(schema.blobs.c.sha256.in_([e.name for e in chunk]))
                    ).scalars())
                    stale += [e for e in chunk if e.name not in known]
            for entry in stale:
                try:
                    os.unlink(entry.path)
                    removed += 1
                except FileNotFoundError:
                    pass
        return removed

    def _remove(self, sha: str) -> None:
        for path in (self.path(sha), self._old_path(sha)):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def _old_path(self, sha: str) -> str:
        """The first layout (ab/cd/<sha>), still read."""
        return os.path.join(self.directory, sha[:2], sha[2:4], sha)

    def open(self, sha256: str) -> BinaryIO:
        try:
            return open(self.path(sha256), "rb")
        except FileNotFoundError:
            pass
        try:
            return open(self._old_path(sha256), "rb")
        except FileNotFoundError:
            pass
        data = self._row_bytes(sha256)  # a small blob, kept inline
        if data is None:
            raise NotFound(f"no message data {sha256}")
        return io.BytesIO(data)


def _mtime(entry: os.DirEntry[str]) -> float:
    try:
        return entry.stat().st_mtime
    except FileNotFoundError:
        return float("inf")  # gone already: nothing to sweep


def _sync_all(paths: list[str]) -> None:
    if len(paths) > 2:
        list(_sync_pool().map(_fsync_path, paths))
    else:
        for path in paths:
            _fsync_path(path)
