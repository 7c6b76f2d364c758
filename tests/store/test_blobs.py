"""Blob backends: dedup, refcounts, gc, durability path, rollback leaves no file;
small blobs inline in the database row with the files backend."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from postvak.store import errors, open_store


@pytest.fixture(params=["files", "inline", "database"])
def bstore(tmp_store_url: str, request: pytest.FixtureRequest, tmp_path: Path):
    """files: every blob a file; inline: the default files backend (small blobs in the
    row); database: every blob in the row."""
    backend = "database" if request.param == "database" else "files"
    inline_max = 0 if request.param == "files" else 64 * 1024
    s = open_store(tmp_store_url, blob_backend=backend, blob_dir=str(tmp_path / "b"), blob_inline_max=inline_max)
    s.migrate()
    s.kind = request.param
    yield s
    s.close()


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.parametrize("size", [5000, 70_000])
def test_put_dedups_and_gc_removes_unreferenced(bstore, tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    a = bstore.write(lambda tx: tx.blobs.put(tx, data))
    b = bstore.write(lambda tx: tx.blobs.put(tx, data, hashlib.sha256(data).hexdigest()))  # hashed by the caller
    assert a == b and a.size == size
    assert bstore.read(lambda tx: tx.blobs.refcount(tx, a.sha256)) == 2
    assert bstore.blobs.read(a.sha256) == data
    as_file = bstore.kind == "files" or (bstore.kind == "inline" and size > 64 * 1024)
    assert len(_files(tmp_path / "b")) == (1 if as_file else 0)
    if as_file:
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
    s = open_store(tmp_store_url, blob_backend="files", blob_dir=str(blob_dir), blob_inline_max=0)
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
    s = open_store(tmp_store_url, blob_backend="files", blob_dir=str(tmp_path / "b"), blob_inline_max=0)
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


def test_inline_blobs_need_no_file_and_mix_with_files(tmp_store_url: str, tmp_path: Path) -> None:
    """A 4 KB delivery costs no file; a big one still does; both open the same way,
    in one batch, and a row from before (bytes in a file) keeps working."""
    s = open_store(tmp_store_url, blob_backend="files", blob_dir=str(tmp_path / "b"), blob_inline_max=10_000)
    try:
        s.migrate()
        small, big = b"s" * 4096, b"b" * 10_001
        refs = s.write_batch([(lambda tx, d: tx.blobs.put(tx, d), (d,), {}) for d in (small, big, small)])
        assert refs[0] == refs[2]
        assert [p.name for p in _files(tmp_path / "b")] == [refs[1].sha256]
        assert s.blobs.read(refs[0].sha256) == small and s.blobs.read(refs[1].sha256) == big
        with s.blobs.open(refs[0].sha256) as fh:
            assert fh.read(10) == b"s" * 10
        # The same bytes written as a file by an older store (inline_max 0), then
        # unreferenced and stored again by this one: readable either way.
        old = open_store(tmp_store_url, blob_backend="files", blob_dir=str(tmp_path / "b"), blob_inline_max=0)
        try:
            mid = b"m" * 3000
            ref = old.write(lambda tx: tx.blobs.put(tx, mid))
            assert Path(old.blobs.path(ref.sha256)).exists()
            assert s.blobs.read(ref.sha256) == mid
            old.write(lambda tx: tx.blobs.unref(tx, ref.sha256))
            s.write(lambda tx: tx.blobs.put(tx, mid))  # refcount back to 1: bytes go inline
            Path(old.blobs.path(ref.sha256)).unlink()
            assert s.blobs.read(ref.sha256) == mid
        finally:
            old.close()
    finally:
        s.close()
