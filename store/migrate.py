"""Runs the Alembic migrations in store/migrations programmatically (no alembic.ini)."""

from __future__ import annotations

import os

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")
LOCK_KEY = 0x706F7374  # pg_advisory_lock key: "post"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", HERE)
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config()
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            # Several `postvak serve` processes may start at once on one database.
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
            conn.commit()
        try:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
        finally:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                conn.commit()
