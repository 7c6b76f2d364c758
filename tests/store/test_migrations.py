"""Alembic: empty -> head, idempotent, and head matches schema.py (no autogenerate diff)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from postvak.store import open_store, search_fts
from postvak.store.schema import metadata


def _not_fts(name: str | None, kind: str, _parent: object) -> bool:
    return not (kind == "table" and name in search_fts.TABLES)


def test_upgrade_from_empty_to_head_matches_models(tmp_store_url: str, tmp_path) -> None:
    store = open_store(tmp_store_url, blob_backend="files", blob_dir=str(tmp_path / "b"))
    try:
        store.migrate()
        store.migrate()  # second run is a no-op
        engine = create_engine(store.url)
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert set(metadata.tables) <= tables and "alembic_version" in tables
            # SQLite's FTS5 index (migration 0006) is not in schema.py: SQLAlchemy has no
            # virtual tables; search_fts.py owns them.
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _not_fts})
            assert ctx.get_current_revision() == "0006"
            assert compare_metadata(ctx, metadata) == []
        engine.dispose()
    finally:
        store.close()


def test_0006_moves_sqlite_index_rows_into_fts5_and_back(tmp_path) -> None:
    """A store indexed before 0006 (one `terms` row per term) keeps its index through the
    upgrade: the same (term, message, fields), found by search, cleaned up by expunge;
    the downgrade gives the rows back."""
    from alembic import command

    from postvak.store import accounts, mailboxes, messages, search
    from postvak.store.migrate import alembic_config, upgrade
    from tests.store.helpers import make_raw

    store = open_store(f"sqlite:///{tmp_path}/store.db", blob_dir=str(tmp_path / "b"))
    try:
        upgrade(store.engine, "0005")
        store.write(accounts.add_domain, "example.test")
        acct = store.write(accounts.add_account, "alice@example.test", "hash")
        inbox = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
        mails = [("Invoice March", "please pay the invoice", "billing@shop.test"),
                 ("Café", "Zürich informal drinks invoice", "friend@home.test"),
                 ("Notes", "quarterly session", "boss@corp.test")]
        for i, (subject, body, frm) in enumerate(mails):
            store.write(messages.ingest, acct.id, inbox.id, make_raw(i, subject=subject, body=body, frm=frm))

        def index_as_0005(tx) -> list[tuple[str, int, int]]:
            """What the indexer wrote before 0006: a row per term."""
            rows = [(term, message_id, fields) for message_id, terms in search.pending_terms(tx)
                    for term, fields in search.masks_of(terms).items()]
            tx.conn.exec_driver_sql("INSERT INTO terms (term, message_id, fields) VALUES (?, ?, ?)", rows)
            tx.conn.exec_driver_sql("DELETE FROM unindexed")
            return sorted(rows)

        before = store.write(index_as_0005)
        assert len(before) > 20
        store.migrate()
        assert store.read(search.index_rows) == before
        assert store.read(lambda tx: tx.conn.exec_driver_sql("SELECT count(*) FROM terms").scalar()) == 0
        found = store.read(search.search_terms, [inbox.id], "invoice")
        assert sorted(uid for _box, uid, _score in found) == [1, 2]
        assert [uid for _box, uid, _score in store.read(search.search_terms, [inbox.id], "zurich")] == [2]
        first = store.read(lambda tx: tx.conn.exec_driver_sql("SELECT id FROM messages WHERE uid = 1").scalar())
        store.write(lambda tx: tx.conn.exec_driver_sql("DELETE FROM messages WHERE uid = 1"))  # its rows by cascade
        remaining = store.read(search.index_rows)
        assert remaining == [row for row in before if row[1] != first] and len(remaining) < len(before)
        assert [uid for _box, uid, _score in store.read(search.search_terms, [inbox.id], "invoice")] == [2]
        store.write(lambda tx: tx.conn.exec_driver_sql("INSERT INTO fts (fts) VALUES ('integrity-check')"))
        with store.engine.connect() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
            conn.commit()
        rows = store.read(lambda tx: sorted(tx.conn.exec_driver_sql("SELECT term, message_id, fields FROM terms").all()))
        assert [tuple(r) for r in rows] == remaining
    finally:
        store.close()
