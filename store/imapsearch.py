"""IMAP SEARCH evaluated next to the data (RFC 9051 6.4.4, RFC 3501 6.4.4).

``search(tx, mailbox_id, key, within=uids)`` takes the typed SearchKey tree of
protocols/imap/search.py after the session replaced what only it knows (sequence
numbers, ``$``, \\Recent) by ``UidSet`` nodes, and returns the matching UIDs.

How the work is split:
- flags, keywords, INTERNALDATE, sizes, MODSEQ, OLDER/YOUNGER and small UID sets
  compile to one SQL WHERE clause (all of an AND's SQL-able keys in one query);
- the rest narrows a Python set of candidate UIDs, cheapest first: SENTxxx verify
  only the messages near a day boundary against their Date header; FROM/TO/CC/BCC/
  SUBJECT pre-filter in SQL (LIKE over the cached envelope and address columns,
  only when that cannot lose a match) and confirm against the decoded envelope;
  TEXT/BODY scan the messages themselves when few candidates remain, else use the
  full-text index (word prefixes, see ``SCAN_LIMIT``) and confirm substrings;
  HEADER reads the header of each remaining candidate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeAlias

from sqlalchemy import Text as SAText
from sqlalchemy import and_, cast, false, func, not_, or_, select, true

from postvak.protocols import mime
from postvak.protocols.imap import search as sk
from postvak.store import schema
from postvak.store import search as fts
from postvak.store.flags import SYSTEM

M = schema.messages
CHUNK = 500
# Up to this many candidates TEXT/BODY read every message: exact RFC substring
# semantics. Above it the word index picks candidates, so a string must start at a
# word boundary (as with Dovecot's FTS); exactness is kept for what the index finds.
SCAN_LIMIT = 1000
MAX_SQL_RANGES = 64  # UID sets with more ranges are applied as Python sets
MAX_HEADER_BYTES = 1 << 20


@dataclass(frozen=True)
class UidSet:
    """Messages by UID, resolved by the session (sequence sets, ``$``, \\Recent)."""

    uids: frozenset[int]


Key: TypeAlias = sk.SearchKey | UidSet


def search(tx: Any, mailbox_id: int, key: Key, within: Iterable[int] | None = None) -> list[int]:
    """UIDs (ascending) of messages in ``within`` (default: the whole mailbox) matching ``key``."""
    if within is None:
        domain = set(tx.conn.execute(select(M.c.uid).where(M.c.mailbox_id == mailbox_id)).scalars())
    else:
        domain = set(within)
    return sorted(_Eval(tx, mailbox_id).eval(key, domain))


# -- SQL-able keys -------------------------------------------------------------------
def _day(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _runs(uids: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for u in sorted(uids):
        if out and u == out[-1][1] + 1:
            out[-1] = (out[-1][0], u)
        else:
            out.append((u, u))
    return out


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _flag_sql(tx: Any, flag: str, present: bool) -> Any:
    low = flag.lower()
    if low in SYSTEM:
        col = M.c[SYSTEM[low]]
        return col.is_(True) if present else col.is_(False)
    if low == "\\recent":  # the session resolves \Recent; a store-only caller sees none
        return false() if present else true()
    if flag.startswith("\\"):
        return false() if present else true()
    # keywords: one space-separated column; RFC 9051 2.3.2 keywords compare case-insensitively
    padded = (" " + M.c.keywords + " ").ilike(f"% {_like_escape(flag)} %", escape="\\")
    return padded if present else not_(padded)


def _sql(tx: Any, key: Key) -> Any | None:
    """A SQL condition equivalent to ``key``, or None if it needs Python."""
    if isinstance(key, sk.All):
        return true()
    if isinstance(key, sk.Flag):
        return _flag_sql(tx, key.flag, key.present)
    if isinstance(key, sk.Size):
        # RFC 9051 6.4.4: LARGER is strictly greater, SMALLER strictly less (RFC822.SIZE)
        return M.c.size > key.size if key.op == "larger" else M.c.size < key.size
    if isinstance(key, sk.ModSeq):
        return M.c.modseq >= key.modseq  # RFC 7162 3.1.5: greater than or equal
    if isinstance(key, sk.Age):
        edge = datetime.now(UTC) - timedelta(seconds=key.seconds)
        # RFC 5032 3: OLDER = internal date at least `seconds` ago; YOUNGER = within them
        return M.c.internal_date <= edge if key.op == "older" else M.c.internal_date >= edge
    if isinstance(key, sk.Date) and key.field == "internal":
        # RFC 9051 6.4.4: the date part only; internal dates are kept in UTC
        start = _day(key.day)
        if key.op == "before":
            return M.c.internal_date < start
        if key.op == "since":
            return M.c.internal_date >= start
        return and_(M.c.internal_date >= start, M.c.internal_date < start + timedelta(days=1))
    if isinstance(key, UidSet):
        runs = _runs(key.uids)
        if len(runs) > MAX_SQL_RANGES:
            return None
        if not runs:
            return false()
        return or_(*[M.c.uid == a if a == b else M.c.uid.between(a, b) for a, b in runs])
    if isinstance(key, sk.Not):
        inner = _sql(tx, key.key)
        return None if inner is None else not_(inner)
    if isinstance(key, sk.And | sk.Or):
        maybe = [_sql(tx, k) for k in (key.keys if isinstance(key, sk.And) else (key.left, key.right))]
        parts: list[Any] = [p for p in maybe if p is not None]
        if len(parts) < len(maybe):
            return None
        return and_(*parts) if isinstance(key, sk.And) else or_(*parts)
    return None


# rough cost order for the keys Python narrows
def _cost(key: Key) -> int:
    if isinstance(key, UidSet):
        return 0
    if isinstance(key, sk.Raw):
        return 1
    if isinstance(key, sk.Date):
        return 2
    if isinstance(key, sk.Text) and key.field not in ("body", "text"):
        return 3
    if isinstance(key, sk.Header) and key.name.lower() in _ENVELOPE_FIELDS:
        return 3
    if isinstance(key, sk.Text):
        return 5
    if isinstance(key, sk.Header):
        return 6
    return 4


_ENVELOPE_FIELDS = {"from": 2, "to": 5, "cc": 6, "bcc": 7, "subject": 1}
_ADDR_COLUMN = {"from": "h_from", "to": "h_to", "cc": "h_cc"}
# No glue of the "Name <addr>, ..." text (so the value lies within one JSON string)
_PLAIN_ADDR = re.compile(r"[^ <>,\"\\\x00-\x1f\x7f-\U0010ffff](?:[^<>,\"\\\x00-\x1f\x7f-\U0010ffff]*[^ <>,\"\\\x00-\x1f\x7f-\U0010ffff])?\Z")
_PLAIN_TEXT = re.compile(r"[ -~]+\Z")  # printable ASCII
H_LIMIT = 1000  # h_from/h_to/h_cc are cut at this length by ingest


class _Eval:
    def __init__(self, tx: Any, mailbox_id: int) -> None:
        self.tx = tx
        self.mailbox_id = mailbox_id

    # -- plumbing --------------------------------------------------------------------
    def _select(self, cols: Sequence[Any], cond: Any, domain: set[int]) -> list[Any]:
        """Rows of messages in ``domain`` matching ``cond``; small domains by UID chunks."""
        base = M.c.mailbox_id == self.mailbox_id
        if domain and max(domain) - min(domain) < 4 * len(domain):
            # Dense (a whole mailbox, say): its UID range, filtered here. An IN list of a
            # thousand UIDs cost more in SQLAlchemy's rendering of the expanded parameter
            # than the query itself (py-spy: ~40 % of a SUBJECT search of 1,000 messages).
            low, high = min(domain), max(domain)
            return [r for r in self.tx.conn.execute(select(*cols).where(base, cond, M.c.uid.between(low, high))).all()
                    if r[0] in domain]
        if len(domain) <= 4 * CHUNK:
            ids = sorted(domain)
            rows: list[Any] = []
            for i in range(0, len(ids), CHUNK):
                rows += self.tx.conn.execute(select(*cols).where(base, cond, M.c.uid.in_(ids[i : i + CHUNK]))).all()
            return rows
        return [r for r in self.tx.conn.execute(select(*cols).where(base, cond)).all() if r[0] in domain]

    def _uids(self, cond: Any, domain: set[int]) -> set[int]:
        return {int(r[0]) for r in self._select([M.c.uid], cond, domain)}

    # -- evaluation ------------------------------------------------------------------
    def eval(self, key: Key, domain: set[int]) -> set[int]:
        if not domain:
            return set()
        cond = _sql(self.tx, key)
        if cond is not None:
            return domain if isinstance(key, sk.All) else self._uids(cond, domain)
        if isinstance(key, sk.And):
            sql_parts = [c for c in (_sql(self.tx, k) for k in key.keys) if c is not None]
            rest = sorted((k for k in key.keys if _sql(self.tx, k) is None), key=_cost)
            current = self._uids(and_(*sql_parts), domain) if sql_parts else domain
            for k in rest:
                current = self.eval(k, current)
                if not current:
                    break
            return current
        if isinstance(key, sk.Or):
            left = self.eval(key.left, domain)
            return left | self.eval(key.right, domain - left)
        if isinstance(key, sk.Not):
            return domain - self.eval(key.key, domain)
        if isinstance(key, UidSet):
            return domain & key.uids
        if isinstance(key, sk.Date):
            return self._sent(key, domain)
        if isinstance(key, sk.Raw):
            hits = fts.search_terms(self.tx, [self.mailbox_id], key.query, limit=1 << 40)
            return domain & {uid for _, uid, _ in hits}
        if isinstance(key, sk.Text):
            if key.field in ("body", "text"):
                return self._text(key.field, key.value, domain)
            return self._envelope(key.field, key.value, domain)
        if isinstance(key, sk.Header):
            name = key.name.lower()
            if name in _ENVELOPE_FIELDS and key.value:
                return self._envelope(name, key.value, domain)
            return self._header(name, key.value, domain)
        raise ValueError(f"search key {type(key).__name__} cannot be evaluated")

    # -- SENTBEFORE / SENTON / SENTSINCE ---------------------------------------------
    def _sent(self, key: sk.Date, domain: set[int]) -> set[int]:
        # RFC 9051 6.4.4: the date of the Date header, disregarding time and timezone.
        # sent_date is UTC, at most a day off the header's own date: rows within a
        # day of the edge are decided by the header, the rest by the column.
        lo, hi = _day(key.day), _day(key.day) + timedelta(days=1)
        day = timedelta(days=1)
        if key.op == "since":
            sure, band = M.c.sent_date >= hi, and_(M.c.sent_date >= lo - day, M.c.sent_date < hi)
        elif key.op == "before":
            sure, band = M.c.sent_date < lo - day, and_(M.c.sent_date >= lo - day, M.c.sent_date < hi)
        else:
            sure, band = false(), and_(M.c.sent_date >= lo - day, M.c.sent_date < hi + day)
        out = self._uids(sure, domain)
        for uid, env in self._select([M.c.uid, M.c.envelope], band, domain):
            when = mime.parse_date(env[0] if env else None)
            if when is None:
                continue
            local = when.date()
            ok = local >= key.day if key.op == "since" else local < key.day if key.op == "before" else local == key.day
            if ok:
                out.add(int(uid))
        return out

    # -- FROM / TO / CC / BCC / SUBJECT -----------------------------------------------
    def _envelope_prefilter(self, field: str, value: str) -> Any:
        """A SQL condition true for every message that could match (or true())."""
        env: Any = cast(M.c.envelope, SAText)
        # The pattern is ASCII here (or the prefilter is true()), and SQLite's LIKE ignores
        # ASCII case: a lower() of every envelope was two thirds of the scan's time (1,000
        # rows: 0.90 -> 0.27 ms). PostgreSQL's LIKE does not.
        if self.tx.is_postgres:
            env = func.lower(env)
        encoded = env.like("%=?%")  # encoded words are only readable once decoded
        pattern = f"%{_like_escape(value.lower())}%"
        if field == "subject":
            if not _PLAIN_TEXT.match(value) or '"' in value or "\\" in value:
                return true()
            return or_(env.like(pattern, escape="\\"), encoded)
        if not _PLAIN_ADDR.match(value):
            return true()
        if "@" in value and " " in value:
            return true()
        if "@" in value:  # spans mailbox and host: only the addr-spec columns hold it whole
            column = _ADDR_COLUMN.get(field)
            if column is None:
                return true()
            col = M.c[column]
            return or_(col.like(pattern, escape="\\"), func.length(col) >= H_LIMIT)
        return or_(env.like(pattern, escape="\\"), encoded)

    def _envelope(self, field: str, value: str, domain: set[int]) -> set[int]:
        if not value:
            return set(domain) if field == "subject" else self._header(field, "", domain)
        want = value.casefold()
        index = _ENVELOPE_FIELDS[field]
        out = set()
        for uid, env in self._select([M.c.uid, M.c.envelope], self._envelope_prefilter(field, value), domain):
            if env and want in _field_text(env, index).casefold():
                out.add(int(uid))
        return out

    # -- BODY / TEXT -----------------------------------------------------------------
    def _text(self, field: str, value: str, domain: set[int]) -> set[int]:
        want = value.casefold()
        if not want:
            return set(domain)
        words = fts.tokens(value)
        candidates = domain
        trust_index = False
        if len(domain) > SCAN_LIMIT and words:
            candidates = domain & self._indexed(words, fts.FIELD_BODY if field == "body" else None)
            # a single ASCII word found at a word start by the index is a substring match
            trust_index = len(words) == 1 and words[0] == want and want.isascii()
        if trust_index:
            return candidates
        out = set()
        for uid, sha in self._select([M.c.uid, M.c.blob_sha], true(), candidates):
            try:
                raw = self.tx.blobs.read(sha)
            except Exception:  # noqa: BLE001 - a missing blob must not fail the whole search
                continue
            if want in _message_text(raw, field == "text").casefold():
                out.add(int(uid))
        return out

    def _indexed(self, words: list[str], field_bit: int | None) -> set[int]:
        """UIDs holding a word starting with each of ``words`` (word-prefix semantics)."""
        result: set[int] | None = None
        for word in dict.fromkeys(words):
            uids = fts.indexed_uids(self.tx, self.mailbox_id, word, field_bit)
            result = uids if result is None else result & uids
            if not result:
                break
        # Messages the background indexer has not reached yet answer from their own text.
        return (result or set()) | fts.pending_uids(self.tx, self.mailbox_id, list(dict.fromkeys(words)), field_bit)

    # -- HEADER ----------------------------------------------------------------------
    def _header(self, name: str, value: str, domain: set[int]) -> set[int]:
        # RFC 9051 6.4.4: the field's text after the colon contains the string; an
        # empty string matches every message that has the field.
        want = value.casefold()
        out = set()
        for uid, sha in self._select([M.c.uid, M.c.blob_sha], true(), domain):
            try:
                head = _header_bytes(self.tx.blobs, sha)
            except Exception:  # noqa: BLE001
                continue
            for h in mime.parse_fields(head):
                if h.name.lower() == name and (not want or want in mime.decode_header(h.value).casefold()):
                    out.add(int(uid))
                    break
        return out


def _field_text(env: list[Any], index: int) -> str:
    """The envelope field as text: the decoded subject, or "Name <addr>, ..." addresses."""
    if index == 1:
        return mime.decode_header(env[1]) if env[1] else ""
    addrs = env[index] if env[index] is not None else env[2]  # sender/reply-to default to from
    parts = []
    for name, _adl, mailbox, host in addrs:
        label = mime.decode_header(name) if name else ""
        if host is None:  # group start / end
            parts.append(mailbox or "")
            continue
        spec = f"{mailbox}@{host}" if host else (mailbox or "")
        parts.append(f"{label} <{spec}>" if label else spec)
    return ", ".join(parts)


def _message_text(raw: bytes, with_header: bool) -> str:
    parsed = mime.parse_message(raw)
    body = "\n".join(mime.part_text(raw, p) for p in mime.text_parts(parsed.body))
    if not with_header:
        return body
    head = "\n".join(f"{h.name}: {mime.decode_header(h.value)}" for h in parsed.headers)
    return head + "\n" + body


def _header_bytes(blobs: Any, sha: str) -> bytes:
    """The message header only, read in chunks (no need to load large bodies)."""
    buf = b""
    with blobs.open(sha) as f:
        while len(buf) < MAX_HEADER_BYTES:
            chunk = f.read(16384)
            if not chunk:
                break
            buf += chunk
            for sep in (b"\r\n\r\n", b"\n\n"):
                end = buf.find(sep)
                if end >= 0:
                    return buf[: end + len(sep)]
    return buf


# -- data for SORT and THREAD (RFC 5256) -------------------------------------------------
@dataclass(frozen=True)
class SortRow:
    uid: int
    internal_date: datetime
    sent_date: datetime | None
    size: int
    subject: str  # the decoded Subject as written (the caller extracts the base subject)
    envelope: list[Any] | None  # the cached ENVELOPE (addresses with names)


@dataclass(frozen=True)
class ThreadRow:
    uid: int
    date: datetime  # sent date, or the internal date when there is none (RFC 5256 2.2)
    subject: str  # decoded Subject
    message_id: str | None
    references: tuple[str, ...]  # References, else In-Reply-To (RFC 5256 REFERENCES 1.A)
    thread_id: int | None


def sort_rows(tx: Any, mailbox_id: int, uids: Iterable[int]) -> list[SortRow]:
    wanted = set(uids)
    cols = [M.c.uid, M.c.internal_date, M.c.sent_date, M.c.size, M.c.envelope]
    out = []
    for r in _Eval(tx, mailbox_id)._select(cols, true(), wanted):
        env = r.envelope
        subject = mime.decode_header(env[1]) if env and env[1] else ""
        out.append(SortRow(int(r.uid), _aware(r.internal_date), _aware(r.sent_date), int(r.size), subject, env))
    return out


def thread_rows(tx: Any, mailbox_id: int, uids: Iterable[int]) -> list[ThreadRow]:
    """References are read from the message header only for messages that share the
    store's thread (ingest links Message-ID/In-Reply-To/References) with another
    selected message: a message alone in its thread cannot be linked to another."""
    wanted = set(uids)
    cols = [M.c.uid, M.c.internal_date, M.c.sent_date, M.c.envelope, M.c.message_id, M.c.thread_id, M.c.blob_sha]
    rows = _Eval(tx, mailbox_id)._select(cols, true(), wanted)
    per_thread: dict[int, int] = {}
    for r in rows:
        if r.thread_id is not None:
            per_thread[r.thread_id] = per_thread.get(r.thread_id, 0) + 1
    out = []
    for r in rows:
        env = r.envelope or [None] * 10
        refs: tuple[str, ...] = ()
        if r.thread_id is None or per_thread[r.thread_id] > 1:
            try:
                head = mime.parse_fields(_header_bytes(tx.blobs, r.blob_sha))
            except Exception:  # noqa: BLE001 - unreadable message: thread it alone
                head = ()
            value = next((h.value for h in head if h.name.lower() == "references"), None)
            refs = mime.msg_ids(value) or mime.msg_ids(env[8])[:1]
        subject = mime.decode_header(env[1]) if env[1] else ""
        out.append(ThreadRow(int(r.uid), _aware(r.sent_date) or _aware(r.internal_date), subject,
                             r.message_id, tuple(refs), r.thread_id))
    return out


def _aware(value: datetime | None) -> Any:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
