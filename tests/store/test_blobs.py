"""Blob backends: dedup, refcounts, gc, durability path, rollback leaves no file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from postvak.store import errors, open_store


@pytest.fixture()
def bstore(tmp_store_url: str, blob_backend: str, tmp_path: Path):
    s = open_store(tmp_store_url, blob_backend=blob_backend, blob_dir=str(tmp_path / "b"))
    s.migrate()
    yield s
    s.close()


def test_put_dedups_and_gc_removes_unreferenced(bstore, tmp_path: Path) -> None:
    data = b"x" * 5000
    a = bstore.write(lambda tx: tx.blobs.put(tx, data))
    b = bstore.write(lambda tx: tx.blobs.put(tx, data))
    assert a == b and a.size == 5000
    assert bstore.read(lambda tx: tx.blobs.refcount(tx, a.sha256)) == 2
    assert bstore.blobs.read(a.sha256) == data
    if bstore.blobs.__class__.__name__ == "FileBlobs":
        path = Path(bstore.blobs.path(a.sha256))
        assert path.read_bytes() == data and path.parent.parent == tmp_path / "b"  # <dir>/ab/<sha>
    bstore.write(lambda tx: tx.blobs.unref(tx, a.sha256))
    assert bstore.write(lambda tx: tx.blobs.gc(tx)) == 0
    bstore.write(lambda tx: tx.blobs.unref(tx, a.sha256))
    assert bstore.write(lambda tx: tx.blobs.gc(tx)) == 1
    with pytest.raises(errors.NotFound):
        bstore.blobs.open(a.sha256)
    c = bstore.write(lambda tx: tx.blobs.put(tx, data))  # comes back after gc
    assert bstore.blobs.read(c.sha256) == data


def test_rollback_leaves_no_blob(bstore, tmp_path: Path) -> None:
    def failing(tx):
        tx.blobs.put(tx, b"never stored")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        bstore.write(failing)
    import hashlib

    with pytest.raises(errors.NotFound):
        bstore.blobs.open(hashlib.sha256(b"never stored").hexdigest())
    if (tmp_path / "b").exists():
        leftovers = [p for p in (tmp_path / "b").rglob("*") if p.is_file()]
        assert leftovers == []


def test_files_backend_needs_dir_on_postgres() -> None:
    with pytest.raises(ValueError):
        open_store("sqlite://", blob_backend="files")
    with pytest.raises(ValueError):
        open_store("sqlite://", blob_backend="nope", blob_dir="/tmp")
    assert os.path.isdir("/tmp")


def test_sweep_removes_crash_leftovers_only(tmp_store_url: str, tmp_path: Path) -> None:
    """A crash can leave temp files (before rename) and renamed files without a row
    (before COMMIT); migrate() sweeps old temp files, sweep(tx) also the rowless files."""
    import hashlib

    blob_dir = tmp_path / "b"
    s = open_store(tmp_store_url, blob_backend="files", blob_dir=str(blob_dir))
    try:
        s.migrate()
        kept = s.write(lambda tx: tx.blobs.put(tx, b"committed mail"))
        old, fresh = blob_dir / "ab" / ".tmp-old", blob_dir / "ab" / ".tmp-fresh"
        orphan = Path(s.blobs.path(hashlib.sha256(b"never committed").hexdigest()))
        for path in (old, fresh, orphan):
            path.write_bytes(b"partial")
        past = os.path.getmtime(old) - 3600
        os.utime(old, (past, past))
        os.utime(orphan, (past, past))
        os.utime(s.blobs.path(kept.sha256), (past, past))
        s.migrate()  # startup: temp files older than the sweep age go
        assert not old.exists() and fresh.exists() and orphan.exists()
        assert s.write(lambda tx: tx.blobs.sweep(tx)) == 1  # the file no row names
        assert not orphan.exists() and fresh.exists()
        assert s.blobs.read(kept.sha256) == b"committed mail"
    finally:
        s.close()


def test_batch_syncs_many_blobs_and_reads_first_layout(tmp_store_url: str, tmp_path: Path) -> None:
    s = open_store(tmp_store_url, blob_backend="files", blob_dir=str(tmp_path / "b"))
    try:
        s.migrate()
        datas = [f"message {i}".encode() for i in range(40)]
        refs = s.write_batch([(lambda tx, d: tx.blobs.put(tx, d), (d,), {}) for d in datas])
        assert [s.blobs.read(r.sha256) for r in refs] == datas
        assert not [p for p in (tmp_path / "b").rglob(".tmp-*")]
        # A blob in the first layout (ab/cd/<sha>) is still found.
        ref = refs[0]
        old = tmp_path / "b" / ref.sha256[:2] / ref.sha256[2:4] / ref.sha256
        old.parent.mkdir()
        os.replace(s.blobs.path(ref.sha256), old)
        assert s.blobs.read(ref.sha256) == datas[0]
    finally:
        s.close()
