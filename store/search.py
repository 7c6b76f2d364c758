"""Portable full-text index (a `terms` table, same on SQLite and PostgreSQL) and the
user query language of FEATURES.md "Zoeken":

    words are ANDed · a OR b · "exact phrase" · info* (prefix, >= 4 characters) ·
    -word / -"phrase" excludes · case- and accent-insensitive

Ranking: each matched term scores by field (subject > from/to > body); ties go to
the newer message. Phrases are checked against the message text itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, literal, select

from postvak.protocols import mime
from postvak.store import schema

FIELD_BODY, FIELD_SUBJECT, FIELD_FROM, FIELD_TO = 1, 2, 4, 8  # bits of terms.fields
WEIGHT = {FIELD_SUBJECT: 3.0, FIELD_FROM: 2.0, FIELD_TO: 1.5, FIELD_BODY: 1.0}
MAX_TERM = 64
MAX_TERMS_PER_MESSAGE = 5000
MAX_INDEXED_TEXT = 64 * 1024  # characters of body text per message
MIN_PREFIX = 4
DEFAULT_LIMIT = 200
_WORD = re.compile(r"\w+")
T, M = schema.terms, schema.messages


def tokens(text: str) -> list[str]:
    """Lower-case, accent-free words: "Café-Überweisung" -> ["cafe", "uberweisung"]."""
    folded = text.casefold()
    if folded.isascii():
        return [w[:MAX_TERM] for w in _WORD.findall(folded)]
    # Fold accents only in the non-ASCII chunks (mail text is mostly ASCII); whitespace
    # is a word boundary before and after NFKD, so the result equals folding it all.
    out: list[str] = []
    for chunk in folded.split():
        if not chunk.isascii():
            chunk = "".join(ch for ch in unicodedata.normalize("NFKD", chunk) if not unicodedata.combining(ch))
        out.extend(w[:MAX_TERM] for w in _WORD.findall(chunk))
    return out


def weight(fields: int) -> float:
    return max((w for bit, w in WEIGHT.items() if fields & bit), default=1.0)


def term_rows(parsed: Any, body_text: str) -> list[tuple[str, int]]:
    """(term, field mask) per distinct term of a message. The body is indexed up to
    MAX_INDEXED_TEXT characters and MAX_TERMS_PER_MESSAGE terms: enough to find any
    real message, and a bound on what one (possibly hostile) message can cost."""
    seen: dict[str, int] = {}
    fields = (
        (FIELD_SUBJECT, parsed.subject or ""),
        (FIELD_FROM, parsed.from_addr or ""),
        (FIELD_TO, f"{parsed.to_addrs or ''} {parsed.cc_addrs or ''}"),
        (FIELD_BODY, (body_text or "")[:MAX_INDEXED_TEXT]),
    )
    for field, text in fields:
        for term in tokens(text):
            mask = seen.get(term)
            if mask is not None:
                if not mask & field:
                    seen[term] = mask | field
            elif len(seen) < MAX_TERMS_PER_MESSAGE:
                seen[term] = field
    return list(seen.items())


_INSERT_TERMS = "INSERT INTO terms (term, message_id, fields) VALUES (?, ?, ?)"
_COPY_TERMS = "COPY terms (term, message_id, fields) FROM STDIN"


def add_terms(tx: Any, message_id: int, rows: list[tuple[str, int]]) -> None:
    """Plain rows straight to the driver: no per-row work in SQLAlchemy (the index is
    most of ingest's rows). PostgreSQL takes them in one COPY, SQLite in one executemany;
    both run on the job's connection, inside its SAVEPOINT."""
    if not rows:
        return
    if tx.is_postgres:
        cursor = tx.conn.connection.driver_connection.cursor()
        with cursor.copy(_COPY_TERMS) as copy:
            for term, fields in rows:
                copy.write_row((term, message_id, fields))
        cursor.close()
    else:
        # In key order: each insert lands next to the previous one in the clustered b-tree.
        tx.conn.exec_driver_sql(_INSERT_TERMS, [(term, message_id, fields) for term, fields in sorted(rows)])


def copy_terms(tx: Any, from_message: int, to_message: int) -> None:
    """A copy shares the original's index entries."""
    tx.conn.execute(
        insert(T).from_select(
            ["term", "message_id", "fields"],
            select(T.c.term, literal(to_message), T.c.fields).where(T.c.message_id == from_message),
        )
    )


# -- the query language ------------------------------------------------------------
@dataclass(frozen=True)
class Atom:
    terms: tuple[str, ...]  # one word, or the words of a phrase
    prefix: bool = False  # last term is a prefix (info*)
    phrase: bool = False  # terms must be adjacent, in order


@dataclass(frozen=True)
class Query:
    clauses: tuple[tuple[Atom, ...], ...]  # AND of (OR of atoms)
    excluded: tuple[Atom, ...]


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(query: str) -> Query:
    clauses: list[list[Atom]] = []
    excluded: list[Atom] = []
    join_next = False
    for m in _TOKEN.finditer(query):
        negate, quoted, bare = m.group(1), m.group(2), m.group(3)
        if bare == "OR":  # upper case only, as in the usual webmail syntax
            join_next = bool(clauses)
            continue
        if quoted is not None:
            words = tokens(quoted)
            atom = Atom(tuple(words), phrase=len(words) > 1) if words else None
        else:
            assert bare is not None
            if bare.startswith("-") and len(bare) > 1:
                negate, bare = "-", bare[1:]
            star = bare.endswith("*")
            words = tokens(bare)
            if not words:
                atom = None
            else:
                prefix = star and len(words[-1]) >= MIN_PREFIX
                atom = Atom(tuple(words), prefix=prefix, phrase=len(words) > 1)
        if atom is None:
            join_next = False
            continue
        if negate:
            excluded.append(atom)
        elif join_next:
            clauses[-1].append(atom)
        else:
            clauses.append([atom])
        join_next = False
    return Query(tuple(tuple(c) for c in clauses), tuple(excluded))


def _term_match(tx: Any, term: str, prefix: bool) -> Any:
    if not prefix:
        return T.c.term == term
    if tx.is_postgres:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return T.c.term.like(escaped + "%", escape="\\")
    return (T.c.term >= term) & (T.c.term < term + "\U0010ffff")  # index range scan on SQLite


def _atom_hits(tx: Any, mailbox_ids: list[int], atom: Atom) -> dict[int, float]:
    """message id -> score, for messages holding every term of the atom."""
    result: dict[int, float] | None = None
    for i, term in enumerate(atom.terms):
        prefix = atom.prefix and i == len(atom.terms) - 1
        rows = tx.conn.execute(
            select(T.c.message_id, T.c.fields).join(M, M.c.id == T.c.message_id)
            .where(_term_match(tx, term, prefix), M.c.mailbox_id.in_(mailbox_ids))
        )
        scores: dict[int, float] = {}
        for message_id, fields in rows:
            scores[message_id] = max(scores.get(message_id, 0.0), weight(fields))
        if result is None:
            result = scores
        else:
            result = {k: v + scores[k] for k, v in result.items() if k in scores}
        if not result:
            return {}
    result = result or {}
    if atom.phrase and result:
        result = {k: v for k, v in result.items() if _phrase_in(tx, k, atom)}
    return result


def _phrase_in(tx: Any, message_id: int, atom: Atom) -> bool:
    """Verify adjacency against the message's own text (the index keeps no positions)."""
    row = tx.conn.execute(select(M.c.blob_sha).where(M.c.id == message_id)).first()
    if row is None:
        return False
    raw = tx.blobs.read(row.blob_sha)
    parsed = mime.parse_message(raw)
    want = list(atom.terms)
    for text in (parsed.subject or "", parsed.from_addr or "", parsed.to_addrs or "", mime.search_text(raw, parsed)):
        words = tokens(text)
        for i in range(len(words) - len(want) + 1):
            head = words[i : i + len(want)]
            if head[:-1] == want[:-1] and (
                head[-1] == want[-1] or (atom.prefix and head[-1].startswith(want[-1]))
            ):
                return True
    return False


def search_terms(
    tx: Any, mailbox_ids: list[int], query: str, limit: int = DEFAULT_LIMIT
) -> list[tuple[int, int, float]]:
    """(mailbox_id, uid, score) of the best matches, best first."""
    parsed = parse_query(query)
    if not parsed.clauses or not mailbox_ids:
        return []
    total: dict[int, float] | None = None
    for clause in parsed.clauses:
        union: dict[int, float] = {}
        for atom in clause:
            for k, v in _atom_hits(tx, mailbox_ids, atom).items():
                union[k] = max(union.get(k, 0.0), v)
        total = union if total is None else {k: v + union[k] for k, v in total.items() if k in union}
        if not total:
            return []
    assert total is not None
    for atom in parsed.excluded:
        for k in _atom_hits(tx, mailbox_ids, atom):
            total.pop(k, None)
    if not total:
        return []
    ids = list(total)
    rows = []
    for i in range(0, len(ids), 500):
        rows.extend(
            tx.conn.execute(
                select(M.c.id, M.c.mailbox_id, M.c.uid, M.c.internal_date).where(M.c.id.in_(ids[i : i + 500]))
            ).all()
        )
    rows.sort(key=lambda r: (-total[r.id], -r.internal_date.timestamp(), -r.id))
    return [(r.mailbox_id, int(r.uid), total[r.id]) for r in rows[:limit]]


def candidates(tx: Any, mailbox_id: int, words: list[str]) -> set[int]:
    """UIDs holding every word (each as a word prefix): a pre-filter for IMAP SEARCH
    TEXT/BODY, which the caller confirms against the message (substring semantics)."""
    result: set[int] | None = None
    for word in words:
        for term in tokens(word):
            uids = set(
                tx.conn.execute(
                    select(M.c.uid).join(T, T.c.message_id == M.c.id)
                    .where(M.c.mailbox_id == mailbox_id, _term_match(tx, term, True)).distinct()
                ).scalars()
            )
            result = uids if result is None else result & uids
            if not result:
                return set()
    if result is None:  # no indexable words: every message is a candidate
        return set(tx.conn.execute(select(M.c.uid).where(M.c.mailbox_id == mailbox_id)).scalars())
    return {int(u) for u in result}
