"""Many blobs in one read transaction (IMAP FETCH of a range of small messages).

``BlobStore.read`` opens its own connection and transaction per blob; a FETCH of 50
messages' headers paid that 50 times (bench/bench_imap.py fetch_headers, py-spy: most
of the time in connection checkout and BEGIN). Here the inline rows come from one
SELECT inside the caller's transaction; blobs kept as files are read from disk.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, select

from postvak.store import schema
from postvak.store.util import Prepared

B = schema.blobs
CHUNK = 500  # shas per IN (...): under SQLite's bound-variable limit
_INLINE = Prepared(select(B.c.sha256, B.c.data).where(B.c.sha256.in_(bindparam("shas", expanding=True))))


def read_many(tx: Any, shas: Iterable[str]) -> dict[str, bytes]:
    """sha -> the blob's bytes, for every sha given (NotFound when one is missing)."""
    wanted = sorted(set(shas))
    out: dict[str, bytes] = {}
    for i in range(0, len(wanted), CHUNK):
        for sha, data in _INLINE.rows(tx, {"shas": wanted[i : i + CHUNK]}):
            if data is not None:
                out[sha] = bytes(data)
    for sha in wanted:
        if sha not in out:
            out[sha] = tx.blobs.read(sha)  # a file (or a row a concurrent writer just added)
    return out
