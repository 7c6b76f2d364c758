"""The `unindexed` table: full-text indexing leaves the delivery path. Ingest records
each new message here; search.index_pending builds its `terms` rows in the background.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unindexed",
        sa.Column("message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_unindexed_message_id_messages"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_unindexed")),
    )


def downgrade() -> None:
    op.drop_table("unindexed")
