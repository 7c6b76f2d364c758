"""store/blobbatch.py: many blobs in one read, inline rows and files alike."""

from __future__ import annotations

import pytest

from postvak.store import blobbatch, open_store
from postvak.store.errors import NotFound


@pytest.mark.parametrize("backend", ["files", "database"])
def test_read_many_returns_inline_and_file_blobs(tmp_path, backend) -> None:
    store = open_store(f"sqlite:///{tmp_path}/s.db", blob_backend=backend, blob_dir=str(tmp_path / "b"),
                       blob_inline_max=100)
    store.migrate()
    try:
        small, big = b"s" * 50, b"B" * 5000  # with files: one kept in its row, one a file
        refs = store.write(lambda tx: [tx.blobs.put(tx, small), tx.blobs.put(tx, big)])
        got = store.read(blobbatch.read_many, [refs[1].sha256, refs[0].sha256, refs[0].sha256])
        assert got == {refs[0].sha256: small, refs[1].sha256: big}
        assert store.read(blobbatch.read_many, []) == {}
        with pytest.raises(NotFound):
            store.read(blobbatch.read_many, ["0" * 64])
    finally:
        store.close()
