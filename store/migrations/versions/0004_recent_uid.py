"""mailboxes.recent_uid: \\Recent (RFC 3501 2.3.2) kept in the store, so one session in
any process claims each new message (store/recent.py). Existing mailboxes start with
every message already claimed: the server before this announced none as recent, and
turning a whole mailbox \\Recent at the first SELECT after an upgrade would mislead clients.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("mailboxes", sa.Column("recent_uid", sa.BigInteger(), server_default=sa.text("0"), nullable=False))
    op.execute("UPDATE mailboxes SET recent_uid = uidnext - 1")


def downgrade() -> None:
    with op.batch_alter_table("mailboxes") as batch:  # SQLite drops columns by copying the table
        batch.drop_column("recent_uid")
