"""The one path for every new message (STYLE.md habit 9): blob, parse, UID, quota,
threading, counters, full-text index, change record."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from postvak.protocols import mime
from postvak.store import schema, search
from postvak.store.errors import NotFound, QuotaExceeded
from postvak.store.flags import normalize, to_values
from postvak.store.types import Change, Stored
from postvak.store.util import now, upsert, utc

M, MB, A = schema.messages, schema.mailboxes, schema.accounts
MAX_REFS = 30  # References can be long; the most recent ids are the useful ones

_cache_lock = threading.Lock()
_parsed: OrderedDict[str, tuple[Any, list[dict[str, Any]]]] = OrderedDict()


def _parse(sha: str, raw: bytes) -> tuple[Any, list[dict[str, Any]]]:
    """Parse once per distinct message: one delivery to many recipients shares the work."""
    with _cache_lock:
        hit = _parsed.get(sha)
        if hit is not None:
            _parsed.move_to_end(sha)
            return hit
    parsed = mime.parse_message(raw)
    rows = search.term_rows(parsed, mime.search_text(raw, parsed))
    with _cache_lock:
        _parsed[sha] = (parsed, rows)
        while len(_parsed) > 32:
            _parsed.popitem(last=False)
    return parsed, rows


def precheck_quota(tx: Any, account_id: int, size: int) -> None:
    row = tx.conn.execute(select(A.c.used_bytes, A.c.quota_bytes).where(A.c.id == account_id)).first()
    if row is None:
        raise NotFound(f"no account {account_id}")
    if row.quota_bytes is not None and row.used_bytes + size > row.quota_bytes:
        raise QuotaExceeded(f"mailbox full: {row.used_bytes + size} bytes would exceed the quota of {row.quota_bytes}")


def add_usage(tx: Any, account_id: int, size: int, enforce: bool) -> None:
    """Count `size` against the account; with `enforce`, refuse to go over quota (checked
    under the row lock, so two concurrent deliveries cannot both slip in)."""
    row = tx.conn.execute(
        update(A).where(A.c.id == account_id).values(used_bytes=A.c.used_bytes + size)
        .returning(A.c.used_bytes, A.c.quota_bytes)
    ).first()
    if row is None:
        raise NotFound(f"no account {account_id}")
    if enforce and size > 0 and row.quota_bytes is not None and row.used_bytes > row.quota_bytes:
        raise QuotaExceeded(f"mailbox full: {row.used_bytes} bytes would exceed the quota of {row.quota_bytes}")


def ingest(
    tx: Any, account_id: int, mailbox_id: int, raw: bytes, *, flags: frozenset[str] = frozenset(),
    internal_date: datetime | None = None, check_quota: bool = True,
) -> Stored:
    size = len(raw)
    owner = tx.conn.execute(select(MB.c.account_id).where(MB.c.id == mailbox_id)).scalar()
    if owner is None or owner != account_id:
        raise NotFound(f"no mailbox {mailbox_id} for account {account_id}")
    if check_quota:
        precheck_quota(tx, account_id, size)  # cheap early refusal, before writing a blob
    flags = normalize(flags)
    unseen = 0 if "\\Seen" in flags else 1
    # Lock order everywhere: message rows -> blobs -> mailboxes -> accounts.
    ref = tx.blobs.put(tx, raw)
    parsed, term_rows = _parse(ref.sha256, raw)
    # UID and modseq allocation: the UPDATE takes the mailbox row lock (RFC 9051 2.3.1.1:
    # strictly ascending UIDs), so concurrent writers in any process get distinct UIDs.
    row = tx.conn.execute(
        update(MB).where(MB.c.id == mailbox_id).values(
            uidnext=MB.c.uidnext + 1, highestmodseq=MB.c.highestmodseq + 1, messages=MB.c.messages + 1,
            unseen=MB.c.unseen + unseen, size=MB.c.size + size,
        ).returning(MB.c.uidnext, MB.c.highestmodseq)
    ).one()
    uid, modseq = int(row.uidnext) - 1, int(row.highestmodseq)
    add_usage(tx, account_id, size, check_quota)
    thread_id = assign_thread(tx, account_id, parsed)
    values = to_values(flags)
    message_id = tx.conn.execute(
        M.insert().values(
            mailbox_id=mailbox_id, uid=uid, modseq=modseq, internal_date=utc(internal_date) or now(), size=size,
            blob_sha=ref.sha256, thread_id=thread_id, envelope=parsed.envelope.to_json(), body=parsed.body.to_json(),
            h_from=(parsed.from_addr or "")[:1000], h_to=(parsed.to_addrs or "")[:1000],
            h_cc=(parsed.cc_addrs or "")[:1000], h_subject=(parsed.base_subject or "")[:1000],
            sent_date=utc(parsed.sent_date), message_id=_clean_id(parsed.message_id),
            preview=(parsed.preview or "")[:512], **values,
        ).returning(M.c.id)
    ).scalar_one()
    search.add_terms(tx, message_id, term_rows)
    tx.changes.append(Change("new", account_id, mailbox_id, uid, modseq))
    return Stored(message_id, mailbox_id, uid, modseq)


def _clean_id(value: str | None) -> str | None:
    if not value:
        return None
    return value.strip().strip("<>")[:500] or None


def assign_thread(tx: Any, account_id: int, parsed: Any) -> int:
    """RFC 5256 REFERENCES, incrementally: messages linked through Message-ID,
    In-Reply-To or References share a thread; threads joined by a message merge; a
    reply ("Re:" etc.) with no known reference joins the newest thread of its base subject."""
    T, R = schema.threads, schema.thread_refs
    own = _clean_id(parsed.message_id)
    refs = [r for r in (_clean_id(x) for x in list(parsed.references)[-MAX_REFS:] + list(parsed.in_reply_to)) if r]
    ids = list(dict.fromkeys(([own] if own else []) + refs))
    found: list[int] = []
    if ids:
        found = sorted(set(tx.conn.execute(
            select(R.c.thread_id).where(R.c.account_id == account_id, R.c.message_id.in_(ids))
        ).scalars()))
    base = " ".join((parsed.base_subject or "").casefold().split())[:1000]
    is_reply = bool(refs) or " ".join((parsed.subject or "").casefold().split()) != base
    if not found and is_reply and base:
        hit = tx.conn.execute(
            select(T.c.id).where(T.c.account_id == account_id, T.c.base_subject == base).order_by(T.c.id.desc()).limit(1)
        ).scalar()
        if hit is not None:
            found = [hit]
    if not found:
        thread_id = tx.conn.execute(
            T.insert().values(account_id=account_id, base_subject=base, created=now()).returning(T.c.id)
        ).scalar_one()
    else:
        thread_id = found[0]
        others = found[1:]
        if others:  # this message joins several threads: merge them into the oldest
            tx.conn.execute(update(M).where(M.c.thread_id.in_(others)).values(thread_id=thread_id))
            tx.conn.execute(update(R).where(R.c.thread_id.in_(others)).values(thread_id=thread_id))
            tx.conn.execute(delete(T).where(T.c.id.in_(others)))
    if ids:
        stmt = upsert(tx, R).values(
            [{"account_id": account_id, "message_id": i, "thread_id": thread_id} for i in ids]
        ).on_conflict_do_nothing()
        tx.conn.execute(stmt)
    return int(thread_id)
