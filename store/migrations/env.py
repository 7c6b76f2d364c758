"""Alembic environment: the connection comes from postvak.store.migrate (config.attributes)."""

from __future__ import annotations

from alembic import context

from postvak.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - offline use is not supported
    raise RuntimeError("run migrations through postvak.store.migrate.upgrade(engine)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER TABLE needs batch mode
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
