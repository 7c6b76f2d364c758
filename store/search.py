"""Portable full-text index (a `terms` table, same on SQLite and PostgreSQL) and the
user query language of FEATURES.md "Zoeken":

    words are ANDed · a OR b · "exact phrase" · info* (prefix, >= 4 characters) ·
    -word / -"phrase" excludes · case- and accent-insensitive

Ranking: each matched term scores by field (subject > from/to > body); ties go to
the newer message. Phrases are checked against the message text itself.
"""

from __future__ import annotations

import logging
import operator
import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Integer, bindparam, column, delete, func, insert, literal, select, table
from sqlalchemy import text as sql_text

from postvak.protocols import mime
from postvak.store import schema, search_fts
from postvak.store.util import Prepared

FIELD_BODY, FIELD_SUBJECT, FIELD_FROM, FIELD_TO = 1, 2, 4, 8  # bits of terms.fields
WEIGHT = {FIELD_SUBJECT: 3.0, FIELD_FROM: 2.0, FIELD_TO: 1.5, FIELD_BODY: 1.0}
MAX_TERM = 64
MAX_TERMS_PER_MESSAGE = 5000
MAX_INDEXED_TEXT = 64 * 1024  # characters of body text per message
MIN_PREFIX = 4
DEFAULT_LIMIT = 200
# Every ASCII non-word character to a space, then str.split(): the words re.findall(r"\w+")
# gives, four times faster (no regex engine per character).
_NON_WORD = str.maketrans({chr(i): " " for i in range(128) if not (chr(i).isalnum() or chr(i) == "_")})
# The same on UTF-8, A-Z lowered too (bytes.lower's one job); bytes of non-ASCII characters stay.
_NON_WORD_BYTES = bytes(
    32 if byte < 128 and not (chr(byte).isalnum() or byte == 95) else (byte | 32 if 65 <= byte <= 90 else byte)
    for byte in range(256))
T, M, U, B = schema.terms, schema.messages, schema.unindexed, schema.blobs
log = logging.getLogger("postvak.store.search")


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


_FOLDED: dict[str, str] = {}  # a non-ASCII run -> _fold_run's answer (runs repeat: "é", "ë")
_FOLDED_MAX = 4096
_FOLDED_RUN_MAX = 64  # longer runs (a paragraph of CJK) are folded each time, not kept


def _fold_run(match: re.Match[str]) -> str:
    """A run of non-ASCII characters case-folded, accents folded (NFKD, combining marks
    dropped), each character that is not a word character (what \\w matches) a space."""
    run = match.group()
    folded = _FOLDED.get(run)
    if folded is None:
        decomposed = unicodedata.normalize("NFKD", run.casefold())
        folded = "".join(ch if ch.isalnum() or ch == "_" else " " for ch in decomposed if not unicodedata.combining(ch))
        if len(run) <= _FOLDED_RUN_MAX:
            if len(_FOLDED) >= _FOLDED_MAX:
                _FOLDED.clear()
            _FOLDED[run] = folded
    return folded


def _word_text(text: str) -> str:
    """text case- and accent-folded with every non-word character a space: its split() is
    its words. Case folding, NFKD and dropping combining marks map each character on its
    own (canonical reordering moves only the marks, which go), so the ASCII is lowered and
    cut by one bytes.translate of the UTF-8 and each non-ASCII run is folded alone, once
    per distinct run: mail text, mostly ASCII, pays a Python step per run, not per word or
    character."""
    if text.isascii():
        return text.lower().translate(_NON_WORD)
    return _fold_runs(text.encode("utf-8", "surrogatepass").translate(_NON_WORD_BYTES))


def _fold_runs(data: bytes) -> str:
    """UTF-8 whose ASCII _NON_WORD_BYTES has lowered and cut, decoded with each non-ASCII
    run folded (_fold_run gives word characters and spaces)."""
    return _NON_ASCII_RUN.sub(_fold_run, data.decode("utf-8", "surrogatepass"))


def _distinct_words(text: str) -> dict[str, None]:
    """The distinct words of _word_text(text) for text that is not ASCII: those of its
    pieces between ASCII non-word characters, in turn, so the pieces are deduplicated as
    UTF-8 and only the distinct ones are decoded and folded (a regular expression over all
    of the text took ~10 ns per character: distinct_tokens of 64 KB of accented prose,
    2.47 -> 1.59 ms). The spaces joining the pieces keep their runs apart."""
    pieces = dict.fromkeys(text.encode("utf-8", "surrogatepass").translate(_NON_WORD_BYTES).split())
    return dict.fromkeys(_fold_runs(b" ".join(pieces)).split())


def tokens(text: str) -> list[str]:
    """Lower-case, accent-free words: "Café-Überweisung" -> ["cafe", "uberweisung"]."""
    return [w[:MAX_TERM] for w in _word_text(text).split()]


def distinct_tokens(text: str) -> dict[str, None]:
    """tokens(text) without repeats, in order of first appearance. Deduplicating at C
    speed before the per-word work makes a long body cost a fraction of tokens()."""
    words = dict.fromkeys(_word_text(text).split()) if text.isascii() else _distinct_words(text)
    # Cut each word to MAX_TERM (cut words may then repeat); when none is longer, as
    # most text has, the cut would copy the dict for nothing (4,000 words: ~150 us).
    if max(map(len, words), default=0) <= MAX_TERM:
        return words
    return dict.fromkeys(w[:MAX_TERM] for w in words)


def weight(fields: int) -> float:
    return max((w for bit, w in WEIGHT.items() if fields & bit), default=1.0)


class Terms(NamedTuple):
    """A message's distinct search terms per field, each field's a space-separated string in
    order of first appearance (a term is a run of word characters: no space in it). Four
    strings, not a term -> fields dict: they cross from the filter worker as four copies,
    wait in the cache at a byte or so per character, and are SQLite's FTS5 row as they are;
    a real 100 KB text has ~2,300 distinct terms, which as a dict was a Python step per
    term at every hand-over."""

    subject: str
    sender: str
    rcpt: str
    body: str


NO_TERMS = Terms("", "", "", "")
_FIELD_BITS = (FIELD_SUBJECT, FIELD_FROM, FIELD_TO, FIELD_BODY)  # in Terms' order


def terms_for(parsed: Any, body_text: str) -> Terms:
    """The terms of a message. The body is indexed up to MAX_INDEXED_TEXT characters and
    MAX_TERMS_PER_MESSAGE distinct terms: enough to find any real message, and a bound on
    what one (possibly hostile) message can cost."""
    fields = [
        distinct_tokens(parsed.subject or ""),
        distinct_tokens(parsed.from_addr or ""),
        distinct_tokens(f"{parsed.to_addrs or ''} {parsed.cc_addrs or ''}"),
        distinct_tokens((body_text or "")[:MAX_INDEXED_TEXT]),
    ]
    if sum(map(len, fields)) > MAX_TERMS_PER_MESSAGE:  # the union is no larger than the sum
        fields = _capped(fields)
    return Terms(*(" ".join(words) for words in fields))


def _capped(fields: list[dict[str, None]]) -> list[dict[str, None]]:
    """Fields in order, the first MAX_TERMS_PER_MESSAGE distinct terms kept: a later term is
    dropped, a kept one keeps each field it appears in."""
    known: dict[str, None] = {}
    out = []
    for words in fields:
        kept: dict[str, None] = {}
        for word in words:
            if word in known or len(known) < MAX_TERMS_PER_MESSAGE:
                known[word] = kept[word] = None
        out.append(kept)
    return out


def masks_of(terms: Terms) -> dict[str, int]:
    """term -> field mask, in order of first appearance (subject, from, to, body)."""
    seen: dict[str, int] = {}
    for bit, text in zip(_FIELD_BITS, terms, strict=True):
        for term in text.split():
            seen[term] = seen.get(term, 0) | bit
    return seen


def terms_size(terms: Terms) -> int:
    return sum(map(len, terms))


_TERM = operator.itemgetter(0)  # a row's term (a prepared entry's message id)
_COPY_TERMS = "COPY terms (term, message_id, fields) FROM STDIN"


def copy_terms(tx: Any, from_message: int, to_message: int) -> None:
    """A copy shares the original's index entries, or waits for the indexer as it does."""
    if not tx.is_postgres:
        search_fts.copy(tx, from_message, to_message)
    else:
        tx.conn.execute(
            insert(T).from_select(
                ["term", "message_id", "fields"],
                select(T.c.term, literal(to_message), T.c.fields).where(T.c.message_id == from_message),
            )
        )
    tx.conn.execute(
        insert(U).from_select(["message_id"], select(literal(to_message, Integer)).where(U.c.message_id == from_message))
    )


# -- indexing off the delivery path ------------------------------------------------
_MARK = Prepared(U.insert().values(message_id=bindparam("message_id")))
_PENDING_COLS = select(U.c.message_id, M.c.mailbox_id, M.c.uid, M.c.blob_sha, B.c.data).select_from(
    U.join(M, M.c.id == U.c.message_id).join(B, B.c.sha256 == M.c.blob_sha)
)
# PostgreSQL: several indexers (processes) take disjoint batches; the message rows are
# held FOR KEY SHARE (what the terms' foreign key needs) and skipped when an expunge
# holds them, so an indexer never waits on, nor deadlocks with, a writer.
_CLAIM_PG = sql_text(
    "SELECT u.message_id, m.blob_sha, b.data FROM unindexed u JOIN messages m ON m.id = u.message_id "
    "JOIN blobs b ON b.sha256 = m.blob_sha ORDER BY u.message_id LIMIT :n "
    "FOR UPDATE OF u SKIP LOCKED FOR KEY SHARE OF m SKIP LOCKED"
)
_terms_lock = threading.Lock()
_terms_cache: OrderedDict[str, Terms] = OrderedDict()  # blob sha -> its terms
# The indexer waits while deliveries run (jobs.INDEX_DEFER): the cache must hold the
# terms of the mail of those seconds (4 KB x 50: 350 msg/s; at 512 entries half of them
# were gone and parsed again on the server; 100 KB of real text x 10 at 80 msg/s: with a
# budget of 500,000 terms as dicts, 200 messages, and most were tokenized twice), bounded
# in characters too (a real message has hundreds of terms, 100 KB of prose 2,300, some
# 20 KB; 16 M characters are 16-64 MB).
CACHE_SIZE = 16_384
CACHE_CHARS = 16_000_000
_cached_chars = 0  # sum of terms_size over _terms_cache


def mark_unindexed(tx: Any, message_id: int) -> None:
    """Ingest's one index write: the message waits for index_pending."""
    _MARK.execute(tx, {"message_id": message_id})


def message_terms(sha: str, raw: bytes) -> Terms:
    """The terms of a message (cached by content: blobs never change)."""
    hit = _cached(sha)
    if hit is not None:
        return hit
    found = terms_of(raw)
    remember_terms(sha, found)
    return found


def terms_of(raw: bytes) -> Terms:
    """The terms of a message, uncached."""
    return parsed_terms(raw)[1]


def parsed_terms(raw: bytes) -> tuple[Any, Terms]:
    """(mime.parse_message(raw), terms_of(raw)) with one parse."""
    parsed = mime.parse_message(raw)
    return parsed, terms_for(parsed, mime.search_text(raw, parsed))


def remember_terms(sha: str, terms: Terms) -> None:
    """Cache `terms` (terms_of, maybe computed in another process: the delivery's filter
    worker) for the blob `sha`: the indexer then finds them here instead of parsing and
    tokenizing the message again on this process's interpreter."""
    global _cached_chars
    with _terms_lock:
        old = _terms_cache.pop(sha, None)
        _terms_cache[sha] = terms
        _cached_chars += terms_size(terms) - (terms_size(old) if old is not None else 0)
        while len(_terms_cache) > CACHE_SIZE or (_cached_chars > CACHE_CHARS and len(_terms_cache) > 1):
            _cached_chars -= terms_size(_terms_cache.popitem(last=False)[1])


def _raw(tx: Any, sha: str, data: Any) -> bytes | None:
    if data is not None:  # inline blob: already fetched with the row
        return bytes(data)
    try:
        return tx.blobs.read(sha)
    except Exception:  # noqa: BLE001 - a missing blob must not stop indexing or search
        log.warning("message data %s unreadable; indexed as empty", sha)
        return None


def index_pending(tx: Any, limit: int = 500) -> int:
    """Build the `terms` rows of up to `limit` messages ingest left unindexed (oldest
    first); returns how many were done. The background job calls it until it returns
    less than `limit`. All rows of the batch go in at once, in key order."""
    if tx.is_postgres:
        rows = tx.conn.execute(_CLAIM_PG, {"n": limit}).all()
    else:
        rows = tx.conn.execute(
            select(U.c.message_id, M.c.blob_sha, B.c.data)
            .select_from(U.join(M, M.c.id == U.c.message_id).join(B, B.c.sha256 == M.c.blob_sha))
            .order_by(U.c.message_id).limit(limit)
        ).all()
    if not rows:
        return 0
    prepared = []
    for message_id, sha, data in rows:
        raw = _raw(tx, sha, data)
        if raw is not None:
            prepared.append((int(message_id), message_terms(sha, raw)))
    _insert_index(tx, prepared)
    ids = [int(r.message_id) for r in rows]
    for i in range(0, len(ids), 500):
        tx.conn.execute(delete(U).where(U.c.message_id.in_(ids[i : i + 500])))
    return len(ids)


def pending_terms(tx: Any, limit: int = 500) -> list[tuple[int, Terms]]:
    """Read job, the CPU half of indexing: (message id, terms) of up to `limit`
    unindexed messages, oldest first. Run on a reader thread, so the writer thread
    (every delivery's commit) never waits while messages are parsed and tokenized."""
    rows = tx.conn.execute(
        select(U.c.message_id, M.c.blob_sha).select_from(U.join(M, M.c.id == U.c.message_id))
        .order_by(U.c.message_id).limit(limit)
    ).all()
    # The delivery's filter worker has usually computed the terms already: the message
    # bytes (a blob file read for large mail) are fetched only for the others.
    found = {sha: terms for sha in {r.blob_sha for r in rows} if (terms := _cached(sha)) is not None}
    missing = sorted({r.blob_sha for r in rows} - found.keys())
    for i in range(0, len(missing), 500):
        for sha, data in tx.conn.execute(select(B.c.sha256, B.c.data).where(B.c.sha256.in_(missing[i:i + 500]))):
            raw = _raw(tx, sha, data)
            found[sha] = message_terms(sha, raw) if raw is not None else NO_TERMS
    return [(int(message_id), found.get(sha, NO_TERMS)) for message_id, sha in rows]


def _cached(sha: str) -> Terms | None:
    with _terms_lock:
        hit = _terms_cache.get(sha)
        if hit is not None:
            _terms_cache.move_to_end(sha)
        return hit


_STILL_PENDING_PG = sql_text(
    "SELECT u.message_id FROM unindexed u JOIN messages m ON m.id = u.message_id "
    "WHERE u.message_id = ANY(:ids) FOR UPDATE OF u SKIP LOCKED FOR KEY SHARE OF m SKIP LOCKED"
)


def store_terms(tx: Any, prepared: list[tuple[int, Terms]]) -> int:
    """Write job, the short half: insert the terms `pending_terms` found for the
    messages still unindexed (one expunged or indexed meanwhile is skipped; on
    PostgreSQL rows another indexer holds are skipped too) and mark them indexed.
    Returns len(prepared), so a caller loops while full batches come back."""
    ids = [message_id for message_id, _ in prepared]
    still: set[int] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        if tx.is_postgres:
            found = tx.conn.execute(_STILL_PENDING_PG, {"ids": chunk}).scalars()
        else:
            found = tx.conn.execute(select(U.c.message_id).where(U.c.message_id.in_(chunk))).scalars()
        still.update(int(m) for m in found)
    _insert_index(tx, [(message_id, terms) for message_id, terms in prepared if message_id in still])
    done = sorted(still)
    for i in range(0, len(done), 500):
        tx.conn.execute(delete(U).where(U.c.message_id.in_(done[i : i + 500])))
    return len(prepared)


def index_rows(tx: Any) -> list[tuple[str, int, int]]:
    """(term, message id, fields) of every indexed term, sorted: the index's content, the
    same on both backends (for checks and tests; it reads the whole index)."""
    if not tx.is_postgres:
        return search_fts.rows(tx)
    return sorted((str(t), int(m), int(f)) for t, m, f in tx.conn.execute(select(T.c.term, T.c.message_id, T.c.fields)))


def pending_count(tx: Any) -> int:
    """How many messages wait for the indexer."""
    return int(tx.conn.execute(select(func.count()).select_from(U)).scalar_one())


def _insert_index(tx: Any, prepared: list[tuple[int, Terms]]) -> None:
    """The index entries of (message id, terms) pairs: an FTS5 row per message on SQLite
    (search_fts.py), on PostgreSQL a `terms` row per term in one COPY."""
    if not tx.is_postgres:
        search_fts.insert(tx, prepared)
        return
    rows = [(term, message_id, fields) for message_id, terms in sorted(prepared, key=_TERM)
            for term, fields in masks_of(terms).items()]
    if not rows:
        return
    # By term alone: the rows are in message id order and a sort is stable, so this is the
    # primary key's order (a message's terms are distinct), sorted 3x faster than tuples
    # (200 messages of 100 KB prose, 454,000 rows: 500-710 -> 160-200 ms).
    rows.sort(key=_TERM)
    cursor = tx.conn.connection.driver_connection.cursor()
    with cursor.copy(_COPY_TERMS) as copy:
        for row in rows:
            copy.write_row(row)
    cursor.close()


def _pending(tx: Any, where: Any) -> list[tuple[int, int, int, Terms]]:
    """(message id, mailbox id, uid, terms) of the not-yet-indexed messages matching
    `where`: searches read these few messages themselves, so they are found before
    the indexer has run exactly as after."""
    out = []
    for r in tx.conn.execute(_PENDING_COLS.where(where)).all():
        raw = _raw(tx, r.blob_sha, r.data)
        out.append((int(r.message_id), int(r.mailbox_id), int(r.uid), message_terms(r.blob_sha, raw) if raw else NO_TERMS))
    return out


def _pending_fields(found: Terms, term: str, prefix: bool) -> list[int]:
    """The field bits of `found` that hold the term (or, `prefix`, a term it begins): a
    substring search of each field's string, its terms between spaces."""
    needle = f" {term}" if prefix else f" {term} "
    return [bit for bit, text in zip(_FIELD_BITS, found, strict=True) if needle in f" {text} "]


def pending_uids(tx: Any, mailbox_id: int, words: list[str], field_bit: int | None = None) -> set[int]:
    """UIDs of unindexed messages holding a term starting with each word (what the
    index would answer for them), limited to terms in `field_bit` when given."""
    out = set()
    for _mid, _box, uid, found in _pending(tx, M.c.mailbox_id == mailbox_id):
        if all(
            any(field_bit is None or f & field_bit for f in _pending_fields(found, w, True)) for w in words
        ):
            out.add(uid)
    return out


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
    """PostgreSQL's `terms` rows of the term, or of every term it begins."""
    if not prefix:
        return T.c.term == term
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return T.c.term.like(escaped + "%", escape="\\")


# SQLite's index (search_fts.py): the FTS5 table as a selectable, and its MATCH.
_FTS = table("fts", column("rowid", Integer))
_FTS_MATCH = sql_text("fts MATCH :q")


def _atom_hits(tx: Any, mailbox_ids: list[int], atom: Atom, pending: list[Any]) -> dict[int, float]:
    """message id -> score, for messages holding every term of the atom."""
    result: dict[int, float] | None = None
    for i, term in enumerate(atom.terms):
        prefix = atom.prefix and i == len(atom.terms) - 1
        scores: dict[int, float] = {}
        for message_id, fields in _indexed_fields(tx, mailbox_ids, term, prefix):
            scores[message_id] = max(scores.get(message_id, 0.0), weight(fields))
        for message_id, _box, _uid, found in pending:
            for fields in _pending_fields(found, term, prefix):
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


def _indexed_fields(tx: Any, mailbox_ids: list[int], term: str, prefix: bool) -> Any:
    """(message id, fields) of the indexed messages in the mailboxes holding the term (or
    a term it begins): one pair per matching term and message on PostgreSQL, one per
    matching field and message on SQLite (a score takes the best field either way)."""
    if tx.is_postgres:
        return tx.conn.execute(
            select(T.c.message_id, T.c.fields).join(M, M.c.id == T.c.message_id)
            .where(_term_match(tx, term, prefix), M.c.mailbox_id.in_(mailbox_ids))
        )
    return [(message_id, bit) for bit, _name in search_fts.COLUMNS
            for message_id in _fts_ids(tx, mailbox_ids, search_fts.match(term, prefix, bit))]


def _fts_ids(tx: Any, mailbox_ids: list[int], query: str, column: Any = None) -> list[int]:
    """Ids (or `column`) of the messages in the mailboxes the FTS5 query finds. The query
    runs once, as a subquery: joined, SQLite may run it again for every message of the
    mailboxes (a term in all of 100,000 messages took minutes)."""
    found = select(_FTS.c.rowid).where(_FTS_MATCH.bindparams(q=query))
    ids = select(column if column is not None else M.c.id).where(M.c.id.in_(found), M.c.mailbox_id.in_(mailbox_ids))
    return [row[0] for row in tx.conn.execute(ids.distinct())]


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
    pending = _pending(tx, M.c.mailbox_id.in_(mailbox_ids))
    total: dict[int, float] | None = None
    for clause in parsed.clauses:
        union: dict[int, float] = {}
        for atom in clause:
            for k, v in _atom_hits(tx, mailbox_ids, atom, pending).items():
                union[k] = max(union.get(k, 0.0), v)
        total = union if total is None else {k: v + union[k] for k, v in total.items() if k in union}
        if not total:
            return []
    assert total is not None
    for atom in parsed.excluded:
        for k in _atom_hits(tx, mailbox_ids, atom, pending):
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


def indexed_uids(tx: Any, mailbox_id: int, term: str, field_bit: int | None = None) -> set[int]:
    """UIDs of the indexed messages in the mailbox holding a term that begins with `term`
    (in a field of `field_bit` when given)."""
    if not tx.is_postgres:
        return {int(u) for u in _fts_ids(tx, [mailbox_id], search_fts.match(term, True, field_bit), M.c.uid)}
    q = select(M.c.uid).join(T, T.c.message_id == M.c.id).where(M.c.mailbox_id == mailbox_id,
                                                                  _term_match(tx, term, True))
    if field_bit is not None:
        q = q.where(T.c.fields.op("&")(field_bit) != 0)
    return {int(u) for u in tx.conn.execute(q.distinct()).scalars()}


def candidates(tx: Any, mailbox_id: int, words: list[str]) -> set[int]:
    """UIDs holding every word (each as a word prefix): a pre-filter for IMAP SEARCH
    TEXT/BODY, which the caller confirms against the message (substring semantics).
    Messages the indexer has not reached yet are matched from their own text."""
    terms = [t for w in words for t in tokens(w)]
    if not terms:  # no indexable words: every message is a candidate
        return set(tx.conn.execute(select(M.c.uid).where(M.c.mailbox_id == mailbox_id)).scalars())
    result: set[int] | None = None
    for term in dict.fromkeys(terms):
        uids = indexed_uids(tx, mailbox_id, term)
        result = uids if result is None else result & uids
        if not result:
            break
    return {int(u) for u in result or ()} | pending_uids(tx, mailbox_id, terms)
