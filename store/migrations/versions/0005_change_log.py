"""change_log: committed changes for other processes on SQLite, which has no NOTIFY.

A write transaction appends its changes here (the same payloads PostgreSQL sends with
NOTIFY), so they become visible exactly at COMMIT; a listener thread in each process
that has subscribers polls for new rows (store/sqlite_listen.py). Rows are pruned after
a few minutes: only live listeners read them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("origin", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("change_log")
