"""Alembic: empty -> head, idempotent, and head matches schema.py (no autogenerate diff)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from postvak.store import open_store
from postvak.store.schema import metadata


def test_upgrade_from_empty_to_head_matches_models(tmp_store_url: str, tmp_path) -> None:
    store = open_store(tmp_store_url, blob_backend="files", blob_dir=str(tmp_path / "b"))
    try:
        store.migrate()
        store.migrate()  # second run is a no-op
        engine = create_engine(store.url)
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert set(metadata.tables) <= tables and "alembic_version" in tables
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert ctx.get_current_revision() == "0005"
            assert compare_metadata(ctx, metadata) == []
        engine.dispose()
    finally:
        store.close()
