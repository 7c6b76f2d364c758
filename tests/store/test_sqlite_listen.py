"""The SQLite change log (store/sqlite_listen.py): rows written at commit, pruned
after KEEP_SECONDS, a database without the table not breaking writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from postvak.store import accounts, mailboxes, messages, open_store, sqlite_listen
from postvak.store.sqlite_listen import ChangeLogWriter
from tests.store.helpers import make_raw


def _rows(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT origin, payload FROM change_log ORDER BY id").fetchall()


def test_each_commit_with_changes_logs_them_under_its_origin(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/s.db", blob_backend="files", blob_dir=str(tmp_path / "b"))
    try:
        store.migrate()
        store.write(accounts.add_domain, "example.test")
        acct = store.write(accounts.add_account, "a@example.test", "h")
        inbox = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
        before = len(_rows(tmp_path / "s.db"))
        store.write(messages.ingest, acct.id, inbox.id, make_raw(1))
        rows = _rows(tmp_path / "s.db")
        assert len(rows) == before + 1
        origin, payload = rows[-1]
        assert origin == store.origin
        assert '"new"' in payload
    finally:
        store.close()


def test_old_rows_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/p.db")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE change_log (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                          "created FLOAT, origin TEXT, payload TEXT)"))
        conn.execute(text("INSERT INTO change_log (created, origin, payload) VALUES (0, 'x', 'old')"))
    monkeypatch.setattr(sqlite_listen, "PRUNE_EVERY", 2)
    writer = ChangeLogWriter()
    for n in range(2):
        with engine.begin() as conn:
            writer.log_changes(conn, "me", [f"p{n}"])
    with engine.connect() as conn:
        left = conn.execute(text("SELECT payload FROM change_log ORDER BY id")).scalars().all()
    assert left == ["p0", "p1"]
    engine.dispose()


def test_a_database_without_the_table_still_commits(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/m.db")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (v INTEGER)"))
    writer = ChangeLogWriter()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        writer.log_changes(conn, "me", ["p"])
        conn.execute(text("INSERT INTO t VALUES (2)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM t")).scalar_one() == 2
    engine.dispose()
