"""Index threads by (account_id, base_subject): ingest looks up the newest thread of a
reply's base subject (RFC 5256) for every reply without a known reference.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_threads_account_id_base_subject"), "threads", ["account_id", "base_subject"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_threads_account_id_base_subject"), table_name="threads")
