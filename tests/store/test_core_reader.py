"""Store.reader() on SQLite begins and commits at the driver (store/core.py, Reader): a
read is still one transaction, one snapshot, Core statements in it join that
transaction, and none stays open after the read."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from postvak.store import accounts, mailboxes, open_store, schema
from postvak.store.util import Prepared

_COUNT = Prepared(select(func.count()).select_from(schema.mailboxes))


@pytest.fixture()
def sqlite_store(tmp_path: Path):
    store = open_store(f"sqlite:///{tmp_path}/s.db", blob_backend="files", blob_dir=str(tmp_path / "b"))
    store.migrate()
    store.write(accounts.add_domain, "example.test")
    acct = store.write(accounts.add_account, "a@example.test", "x")
    yield store, acct
    store.close()


def _core_count(tx) -> int:
    return tx.conn.execute(select(func.count()).select_from(schema.mailboxes)).scalar_one()


def test_a_read_is_one_snapshot_across_driver_and_core_statements(sqlite_store) -> None:
    store, acct = sqlite_store
    reader = store.reader()

    def read(tx, n):
        before = _COUNT.scalar(tx, {})  # the snapshot starts here (deferred BEGIN)
        store.write(mailboxes.create_mailbox, acct.id, f"box{n}")  # committed by another connection
        return before, _COUNT.scalar(tx, {}), _core_count(tx)

    for n in range(3):  # Core joining the transaction does not disturb the next reads
        before, again, core = reader.read(read, n)
        assert again == before and core == before  # neither statement sees the commit made during the read
        assert reader.read(_core_count) == before + 1  # the next read does
        assert reader.read(lambda tx: _COUNT.scalar(tx, {})) == before + 1
    reader.close()
    assert store.engine.pool.checkedout() == 0


def test_no_transaction_stays_open_after_a_read(sqlite_store) -> None:
    store, acct = sqlite_store
    reader = store.reader()
    for fn in (lambda tx: _COUNT.scalar(tx, {}), _core_count, lambda tx: None):
        reader.read(fn)
        conn = reader._conn
        assert conn is not None
        assert not conn.in_transaction()
        assert not conn.connection.driver_connection.in_transaction
    with pytest.raises(ZeroDivisionError):
        reader.read(lambda tx: (_COUNT.scalar(tx, {}), 1 / 0))
    assert reader._conn is None  # dropped after the error; its open transaction rolled back
    assert reader.read(lambda tx: _COUNT.scalar(tx, {})) >= 1
    reader.close()
    assert store.engine.pool.checkedout() == 0


def test_a_writer_is_not_blocked_by_a_reader_between_reads(sqlite_store) -> None:
    """A read left open would hold its WAL snapshot; a checkpoint then cannot reset the
    log past it (busy), which TRUNCATE reports in its first result column."""
    store, acct = sqlite_store
    reader = store.reader()
    reader.read(lambda tx: _COUNT.scalar(tx, {}))
    reader.read(_core_count)
    store.write(mailboxes.create_mailbox, acct.id, "after")
    with store.engine.connect() as conn:
        busy = conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    assert busy == 0
    reader.close()
