"""SQLite's full-text index as FTS5: one row of terms per message (store/search_fts.py).

A `terms` row per (term, message) cost a b-tree insert per term on SQLite, most of the
store writer's time for long text mail. PostgreSQL keeps `terms`; on SQLite its rows move
into `msgterms` (the terms per field, space-separated) and the `fts` table indexing them,
and `terms` stays empty. The trigger hands FTS5 a deleted row's terms, which it needs to
take them out of the index (an expunge deletes `msgterms` by the foreign key's cascade).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_FIELDS = "body, subject, sender, rcpt"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE msgterms (message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE, "
        "body TEXT NOT NULL, subject TEXT NOT NULL, sender TEXT NOT NULL, rcpt TEXT NOT NULL)")
    op.execute(f"CREATE VIRTUAL TABLE fts USING fts5({_FIELDS}, content='msgterms', content_rowid='message_id', "
               "tokenize=\"ascii tokenchars '_'\")")
    op.execute(f"CREATE TRIGGER msgterms_deleted AFTER DELETE ON msgterms BEGIN INSERT INTO fts (fts, rowid, {_FIELDS}) "
               "VALUES ('delete', old.message_id, old.body, old.subject, old.sender, old.rcpt); END")
    # terms.fields bits: 1 body, 2 subject, 4 from, 8 to
    columns = ", ".join(f"coalesce(group_concat(CASE WHEN fields & {bit} THEN term END, ' '), '')"
                        for bit in (1, 2, 4, 8))
    op.execute(f"INSERT INTO msgterms (message_id, {_FIELDS}) SELECT message_id, {columns} FROM terms GROUP BY message_id")
    op.execute("INSERT INTO fts (fts) VALUES ('rebuild')")
    op.execute("DELETE FROM terms")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for bit, name in ((1, "body"), (2, "subject"), (4, "sender"), (8, "rcpt")):
        # json_each splits a column's terms (no term holds a space or a quote)
        op.execute(
            "INSERT INTO terms (term, message_id, fields) SELECT j.value, m.message_id, "
            f"{bit} FROM msgterms m, json_each('[\"' || replace(m.{name}, ' ', '\",\"') || '\"]') j "
            f"WHERE m.{name} != '' AND true ON CONFLICT (term, message_id) DO UPDATE SET fields = fields | {bit}")
    op.execute("DROP TRIGGER msgterms_deleted")
    op.execute("DROP TABLE fts")
    op.execute("DROP TABLE msgterms")
