"""The full-text index on SQLite: one FTS5 row per message, its terms in four columns.

PostgreSQL keeps one `terms` row per (term, message) (search.py). On SQLite that layout
cost a b-tree insert per term, about 3 us each: 2,300 distinct terms of a 100 KB text
message were 8-9 ms of the store writer's time per message, against 0.5-0.9 ms for the
same terms as one FTS5 row (servers/smtp/README.md, fifth round).

`msgterms` holds each message's terms, space-separated, per field (FTS5's external
content: what a row's 'delete' command is given back when the message goes, by the
trigger, so an expunge's cascade keeps the index exact); `fts` indexes them with the
`ascii` tokenizer: the terms are runs of word characters already case- and accent-folded
(search.tokens), which it splits at the spaces only, folding ASCII case (a query term goes
through the same tokenizer, so "TM" from U+2122 finds itself).
"""

from __future__ import annotations

from typing import Any

# (field bit, column): the bits of search.FIELD_* and terms.fields
COLUMNS = ((1, "body"), (2, "subject"), (4, "sender"), (8, "rcpt"))
_NAMES = ", ".join(name for _bit, name in COLUMNS)

# Made by migration 0006 on SQLite; tables schema.py does not describe (FTS5 keeps its own
# beside `fts`).
TABLES = frozenset(("msgterms", "fts", "fts_data", "fts_idx", "fts_docsize", "fts_config"))

_INSERT_CONTENT = f"INSERT INTO msgterms (message_id, {_NAMES}) VALUES (?, ?, ?, ?, ?)"
_INSERT_INDEX = f"INSERT INTO fts (rowid, {_NAMES}) VALUES (?, ?, ?, ?, ?)"


def insert(tx: Any, prepared: list[tuple[int, Any]]) -> None:
    """The rows of (message id, search.Terms) pairs, on the job's connection: each column
    the Terms field of its name (its distinct terms, space-separated)."""
    rows = [(message_id, *(getattr(terms, name) for _bit, name in COLUMNS)) for message_id, terms in prepared]
    if rows:
        tx.conn.exec_driver_sql(_INSERT_CONTENT, rows)
        tx.conn.exec_driver_sql(_INSERT_INDEX, rows)


def copy(tx: Any, from_message: int, to_message: int) -> None:
    """A copy indexed as its original is (nothing when the original waits for the indexer)."""
    tx.conn.exec_driver_sql(
        f"INSERT INTO msgterms (message_id, {_NAMES}) SELECT ?, {_NAMES} FROM msgterms WHERE message_id = ?",
        (to_message, from_message))
    tx.conn.exec_driver_sql(
        f"INSERT INTO fts (rowid, {_NAMES}) SELECT message_id, {_NAMES} FROM msgterms WHERE message_id = ?",
        (to_message,))


def match(term: str, prefix: bool, field_bits: int | None = None) -> str:
    """An FTS5 query for one term (a run of word characters: no quote to escape), in the
    columns of `field_bits` when given."""
    phrase = f'"{term}"' + (" *" if prefix else "")
    if field_bits is None:
        return phrase
    names = " ".join(name for bit, name in COLUMNS if field_bits & bit)
    return f"{{{names}}} : {phrase}"


def rows(tx: Any) -> list[tuple[str, int, int]]:
    """(term, message id, fields) of the whole index, as PostgreSQL's `terms` holds them
    (for tests and checks: it reads every row)."""
    out: dict[tuple[str, int], int] = {}
    for row in tx.conn.exec_driver_sql(f"SELECT message_id, {_NAMES} FROM msgterms").all():
        message_id = int(row[0])
        for (bit, _name), text in zip(COLUMNS, row[1:], strict=True):
            for term in text.split():
                out[(term, message_id)] = out.get((term, message_id), 0) | bit
    return sorted((term, message_id, fields) for (term, message_id), fields in out.items())
