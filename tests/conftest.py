"""Shared fixtures: `tmp_store_url` and `store` run each test on SQLite and, when
POSTVAK_TEST_PG names a server, on PostgreSQL (a fresh schema per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.fixtures import mail_server  # noqa: F401 - shared end-to-end fixture

PG_ENV = "POSTVAK_TEST_PG"
PG_SKIP = "PostgreSQL run skipped: set POSTVAK_TEST_PG"


def _pg_schema_url(base: str) -> Iterator[str]:
    """A throw-away schema on the test server; the URL puts it first on search_path."""
    import psycopg

    plain = base.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def tmp_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL with nothing in it: a temp SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.db"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    yield from _pg_schema_url(base)


@pytest.fixture(params=["files", "database"])
def blob_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture()
def store(tmp_store_url: str, tmp_path: Path):
    """A migrated, empty store (files blob backend) on each database."""
    from postvak.store import open_store

    s = open_store(tmp_store_url, blob_backend="files", blob_dir=str(tmp_path / "blobs"))
    s.migrate()
    try:
        yield s
    finally:
        s.close()
