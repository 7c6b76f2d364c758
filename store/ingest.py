"""The one path for every new message (STYLE.md habit 9): blob, parse, UID, quota,
threading, counters, change record. The full-text index is built later, off the
delivery path (search.index_pending): ingest only records the message as unindexed."""

from __future__ import annotations

import json
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from postvak.protocols import mime
from postvak.store import accounts, schema, search
from postvak.store.errors import NotFound, QuotaExceeded
from postvak.store.flags import normalize, to_values
from postvak.store.mailboxes import canonical
from postvak.store.types import Change, Resolved, Stored
from postvak.store.util import Prepared, domain_of, normalize_address, now, utc

M, MB, A = schema.messages, schema.mailboxes, schema.accounts
T, R = schema.threads, schema.thread_refs
D, S, SV = schema.domains, schema.state, schema.sieve_scripts
MAX_REFS = 30  # References can be long; the most recent ids are the useful ones
MAX_BASE_SUBJECT = 250  # thread key: short enough for a b-tree entry on PostgreSQL

_cache_lock = threading.Lock()
_parsed: OrderedDict[str, Facts] = OrderedDict()
PARSED_CACHE = 256  # decisions made and not yet ingested: one per session at most

# Statements built and compiled once (util.Prepared): building a Core construct per
# call costs more than running it, and so does Connection.execute's own machinery.
_OWNER_QUOTA = Prepared(
    select(A.c.used_bytes, A.c.quota_bytes).select_from(MB.join(A, A.c.id == MB.c.account_id))
    .where(MB.c.id == bindparam("mailbox_id"), MB.c.account_id == bindparam("account_id"))
)
_QUOTA = Prepared(select(A.c.used_bytes, A.c.quota_bytes).where(A.c.id == bindparam("account_id")))
# UID and modseq allocation and the counters in one round trip.
_ALLOCATE = Prepared(
    update(MB).where(MB.c.id == bindparam("mailbox_id")).values(
        uidnext=MB.c.uidnext + 1, highestmodseq=MB.c.highestmodseq + 1, messages=MB.c.messages + 1,
        unseen=MB.c.unseen + bindparam("unseen"), size=MB.c.size + bindparam("size"),
    ).returning(MB.c.uidnext, MB.c.highestmodseq)
)
_USAGE = Prepared(
    update(A).where(A.c.id == bindparam("account_id")).values(used_bytes=A.c.used_bytes + bindparam("size"))
    .returning(A.c.used_bytes, A.c.quota_bytes)
)
_MESSAGE_COLS = (
    "mailbox_id", "uid", "modseq", "internal_date", "size", "blob_sha", "thread_id", "envelope", "body",
    "h_from", "h_to", "h_cc", "h_subject", "sent_date", "message_id", "preview",
    "seen", "answered", "flagged", "deleted", "draft", "keywords",
)
_INSERT_MESSAGE = Prepared(
    M.insert().values({c: bindparam(c, type_=M.c[c].type) for c in _MESSAGE_COLS}).returning(M.c.id)
)
_FIND_REFS = Prepared(select(R.c.thread_id).where(
    R.c.account_id == bindparam("account_id"), R.c.message_id.in_(bindparam("ids", expanding=True))
))
_FIND_SUBJECT = Prepared(
    select(T.c.id).where(T.c.account_id == bindparam("account_id"), T.c.base_subject == bindparam("base"))
    .order_by(T.c.id.desc()).limit(1)
)
_NEW_THREAD = Prepared(T.insert().values(
    account_id=bindparam("account_id"), base_subject=bindparam("base"), created=bindparam("created", type_=T.c.created.type)
).returning(T.c.id))


class Facts(NamedTuple):
    """What ingest keeps of a message's parse: plain values, so one made in another
    process (the delivery's filter worker) crosses the pipe for 2 us where the parse
    itself (nested frozen dataclasses) takes 44 us to unpickle, more than parsing 4 KB."""

    envelope: str  # JSON, as stored
    body: str  # JSON, as stored
    from_addr: str | None
    to_addrs: str | None
    cc_addrs: str | None
    subject: str | None
    base_subject: str | None
    sent_date: datetime | None
    message_id: str | None
    preview: str | None
    references: tuple[str, ...]
    in_reply_to: tuple[str, ...]


def facts_of(parsed: Any) -> Facts:
    """Facts of a mime.parse_message result."""
    return Facts(parsed.envelope.to_json(), parsed.body.to_json(), parsed.from_addr, parsed.to_addrs,
                 parsed.cc_addrs, parsed.subject, parsed.base_subject, parsed.sent_date, parsed.message_id,
                 parsed.preview, tuple(parsed.references), tuple(parsed.in_reply_to))


def _facts(sha: str, raw: bytes) -> Facts:
    """Parse once per distinct message: one delivery to many recipients shares the work."""
    with _cache_lock:
        hit = _parsed.get(sha)
        if hit is not None:
            _parsed.move_to_end(sha)
            return hit
    facts = facts_of(mime.parse_message(raw))
    remember_facts(sha, facts)
    return facts


def remember_facts(sha: str, facts: Facts) -> None:
    """Cache the Facts of the blob `sha`, maybe parsed in another process (the
    delivery's filter worker parses the copy it decided on): ingest then skips the parse."""
    with _cache_lock:
        _parsed[sha] = facts
        _parsed.move_to_end(sha)
        while len(_parsed) > PARSED_CACHE:
            _parsed.popitem(last=False)


def _refuse(used: int, quota: int | None) -> None:
    if quota is not None and used > quota:
        raise QuotaExceeded(f"mailbox full: {used} bytes would exceed the quota of {quota}")


def precheck_quota(tx: Any, account_id: int, size: int) -> None:
    row = _QUOTA.first(tx, {"account_id": account_id})
    if row is None:
        raise NotFound(f"no account {account_id}")
    _refuse(row.used_bytes + size, row.quota_bytes)


def add_usage(tx: Any, account_id: int, size: int, enforce: bool) -> None:
    """Count `size` against the account; with `enforce`, refuse to go over quota (checked
    under the row lock, so two concurrent deliveries cannot both slip in)."""
    row = _USAGE.first(tx, {"account_id": account_id, "size": size})
    if row is None:
        raise NotFound(f"no account {account_id}")
    if enforce and size > 0:
        _refuse(row.used_bytes, row.quota_bytes)


def ingest(
    tx: Any, account_id: int, mailbox_id: int, raw: bytes, *, flags: frozenset[str] = frozenset(),
    internal_date: datetime | None = None, check_quota: bool = True, checked: bool = False,
    sha: str | None = None,
) -> Stored:
    """`checked`: the caller found `mailbox_id` among the account's folders and ran
    precheck_quota in this transaction (delivery does, per recipient), so the first
    query is skipped; the quota is still enforced under the row lock (add_usage).
    `sha`: `raw`'s sha256 when the caller hashed it in this process (BlobStore.put)."""
    size = len(raw)
    if not checked:
        # Ownership and the cheap early quota refusal (before writing a blob) in one query.
        row = _OWNER_QUOTA.first(tx, {"mailbox_id": mailbox_id, "account_id": account_id})
        if row is None:
            raise NotFound(f"no mailbox {mailbox_id} for account {account_id}")
        if check_quota:
            _refuse(row.used_bytes + size, row.quota_bytes)
    flags = normalize(flags)
    # Lock order everywhere: message rows -> blobs -> mailboxes -> accounts.
    ref = tx.blobs.put(tx, raw, sha)
    parsed = _facts(ref.sha256, raw)
    # RFC 9051 2.3.1.1: strictly ascending UIDs; the UPDATE takes the mailbox row lock,
    # so concurrent writers in any process get distinct UIDs.
    row = _ALLOCATE.first(tx, {"mailbox_id": mailbox_id, "unseen": 0 if "\\Seen" in flags else 1, "size": size})
    if row is None:  # deleted since the first query (a concurrent transaction)
        raise NotFound(f"no mailbox {mailbox_id} for account {account_id}")
    uid, modseq = int(row.uidnext) - 1, int(row.highestmodseq)
    add_usage(tx, account_id, size, check_quota)
    thread_id = assign_thread(tx, account_id, parsed)
    message_id = _INSERT_MESSAGE.scalar(tx, {
        "mailbox_id": mailbox_id, "uid": uid, "modseq": modseq, "internal_date": utc(internal_date) or now(),
        "size": size, "blob_sha": ref.sha256, "thread_id": thread_id, "envelope": parsed.envelope,
        "body": parsed.body, "h_from": (parsed.from_addr or "")[:1000],
        "h_to": (parsed.to_addrs or "")[:1000], "h_cc": (parsed.cc_addrs or "")[:1000],
        "h_subject": (parsed.base_subject or "")[:1000], "sent_date": utc(parsed.sent_date),
        "message_id": _clean_id(parsed.message_id), "preview": (parsed.preview or "")[:512], **to_values(flags),
    })
    search.mark_unindexed(tx, message_id)
    tx.changes.append(Change("new", account_id, mailbox_id, uid, modseq))
    return Stored(message_id, mailbox_id, uid, modseq)


def _clean_id(value: str | None) -> str | None:
    if not value:
        return None
    return value.strip().strip("<>")[:500] or None


def assign_thread(tx: Any, account_id: int, parsed: Any) -> int:
    """RFC 5256 REFERENCES, incrementally: messages linked through Message-ID,
    In-Reply-To or References share a thread; threads joined by a message merge; a
    reply ("Re:" etc.) with no known reference joins the newest thread of its base subject.
    Both lookups are index seeks (thread_refs primary key, threads(account_id, base_subject))."""
    own = _clean_id(parsed.message_id)
    refs = [r for r in (_clean_id(x) for x in list(parsed.references)[-MAX_REFS:] + list(parsed.in_reply_to)) if r]
    ids = list(dict.fromkeys(([own] if own else []) + refs))
    found: list[int] = []
    if ids:
        found = sorted({r.thread_id for r in _FIND_REFS.rows(tx, {"account_id": account_id, "ids": ids})})
    base = " ".join((parsed.base_subject or "").casefold().split())[:MAX_BASE_SUBJECT]
    is_reply = bool(refs) or " ".join((parsed.subject or "").casefold().split()) != base
    if not found and is_reply and base:
        hit = _FIND_SUBJECT.scalar(tx, {"account_id": account_id, "base": base})
        if hit is not None:
            found = [hit]
    if not found:
        thread_id = _NEW_THREAD.scalar(tx, {"account_id": account_id, "base": base, "created": now()})
    else:
        thread_id = found[0]
        others = found[1:]
        if others:  # this message joins several threads: merge them into the oldest
            tx.conn.execute(update(M).where(M.c.thread_id.in_(others)).values(thread_id=thread_id))
            tx.conn.execute(update(R).where(R.c.thread_id.in_(others)).values(thread_id=thread_id))
            tx.conn.execute(delete(T).where(T.c.id.in_(others)))
    if ids:
        _insert_refs(tx.is_postgres).executemany(tx, [{"account_id": account_id, "message_id": i, "thread_id": thread_id} for i in ids])
    return int(thread_id)


_REFS_STMT: dict[bool, Prepared] = {}


def _insert_refs(postgres: bool) -> Prepared:
    stmt = _REFS_STMT.get(postgres)
    if stmt is None:
        stmt = Prepared((pg_insert if postgres else sqlite_insert)(R).values(
            account_id=bindparam("account_id"), message_id=bindparam("message_id"), thread_id=bindparam("thread_id")
        ).on_conflict_do_nothing())
        _REFS_STMT[postgres] = stmt
    return stmt


# -- What a delivery reads before its write job -------------------------------------
# Per message: RCPT's recipient lookup, then per recipient its spam state and active
# Sieve script; in the write job the target folder. Through Core each of these cost
# 150-300 us of statement building and SQLAlchemy per query, more than SQLite's work.
_LOCAL_ACCOUNT = Prepared(
    select(D.c.id.label("domain_id"), A.c.id, A.c.address)
    .select_from(D.outerjoin(A, (A.c.domain_id == D.c.id) & (A.c.address == bindparam("address"))))
    .where(D.c.name == bindparam("domain"))
)
# A model (1 MB when trained on a few thousand messages) is read whole only when it
# changed: state.put gives every write a new row id; length and header (the message
# counts) guard an id SQLite hands out again after the newest row was deleted. The
# account's model comes as that version only; its other entries (lists) come whole.
_SPAM_STATE = Prepared(
    select(S.c.id, S.c.key, case((S.c.key == "model", None), else_=S.c.value).label("value"), S.c.is_json,
           S.c.expires, func.length(S.c.value).label("size"), func.substr(S.c.value, 1, 16).label("head")).where(
        S.c.scope == "spam", S.c.account_id == bindparam("account_id"),
    )
)
_GLOBAL_MODEL = Prepared(
    select(S.c.id, func.length(S.c.value).label("size"), func.substr(S.c.value, 1, 16).label("head")).where(
        S.c.scope == "spam", S.c.account_id.is_(None), S.c.key == "model",
        or_(S.c.expires.is_(None), S.c.expires > bindparam("now", type_=S.c.expires.type)),
    ).order_by(S.c.id.desc()).limit(1)
)
_STATE_VALUE = Prepared(select(S.c.value, S.c.is_json).where(S.c.id == bindparam("id")))
_models_lock = threading.Lock()
# engine -> {account id (None: global) -> (version, model)}, most recently used last
_models: weakref.WeakKeyDictionary[Any, OrderedDict[int | None, tuple[Any, bytes | None]]] = (
    weakref.WeakKeyDictionary())
MAX_CACHED_MODELS = 16  # the global model and the users' who receive the most mail
_ACTIVE_SCRIPT = Prepared(
    select(SV.c.name, SV.c.content).where(SV.c.account_id == bindparam("account_id"), SV.c.active.is_(True))
    .limit(1)
)
_MAILBOX_ID = Prepared(select(MB.c.id).where(MB.c.account_id == bindparam("account_id"),
                                             MB.c.name == bindparam("name")))
_SPECIAL_ID = Prepared(select(MB.c.id).where(
    MB.c.account_id == bindparam("account_id"), MB.c.special_use == bindparam("special_use"), MB.c.system.is_(True),
).limit(1))


def recipient(tx: Any, domain: str, address: str) -> list[Resolved] | None:
    """Who `address` reaches: None when `domain` is not ours, [] for nobody. An account
    of that exact address (the common case) in one query; anything else (aliases,
    groups, user+detail, catch-all) through accounts.resolve_recipient."""
    address = normalize_address(address)
    row = _LOCAL_ACCOUNT.first(tx, {"domain": domain.strip().lower(), "address": address})
    if row is None:
        return None
    if row.id is not None and domain_of(address) == domain.strip().lower():
        return [Resolved(row.id, row.address, None)]
    return list(accounts.resolve_recipient(tx, address) or [])


@dataclass(frozen=True)
class DeliveryState:
    """The spam state and active Sieve script of one account (two queries)."""

    global_model: bytes | None
    user_model: bytes | None
    allow: tuple[str, ...]
    block: tuple[str, ...]
    script_name: str | None  # None: no active script
    script: str | None


def delivery_state(tx: Any, account_id: int, with_global: bool) -> DeliveryState:
    """Same values as state.get / state.list_entries (scope "spam": the global "model"
    and the account's "model", "allow", "block"; expired entries ignored) and
    sieve.active_script."""
    current = now()
    own: dict[str, Any] = {}
    user_model = None
    for r in _SPAM_STATE.rows(tx, {"account_id": account_id}):
        if r.expires is not None and utc(r.expires) <= current:
            continue
        if r.key == "model":
            user_model = _model(tx, account_id, r)
        else:
            own[r.key] = json.loads(r.value) if r.is_json else bytes(r.value)
    global_model = None
    if with_global:
        row = _GLOBAL_MODEL.first(tx, {"now": current})
        global_model = _model(tx, None, row) if row is not None else None
    script = _ACTIVE_SCRIPT.first(tx, {"account_id": account_id})
    return DeliveryState(global_model, user_model,
                         tuple(own.get("allow") or ()), tuple(own.get("block") or ()),
                         script.name if script else None, script.content if script else None)


def _model(tx: Any, owner: int | None, row: Any) -> bytes | None:
    """The spam model of `owner` (None: the global one) whose state row `row` gave its
    version: the same bytes object while the row is unchanged, so the filter worker and
    the model cache recognise it without the bytes crossing a pipe or being hashed."""
    version = (row.id, row.size, bytes(row.head) if row.head is not None else None)
    engine = tx.conn.engine  # one cache per database
    with _models_lock:
        cached = _models.setdefault(engine, OrderedDict())
        hit = cached.get(owner)
        if hit is not None and hit[0] == version:
            cached.move_to_end(owner)
            return hit[1]
    found = _STATE_VALUE.first(tx, {"id": row.id})
    value = (json.loads(found.value) if found.is_json else bytes(found.value)) if found is not None else None
    model = bytes(value) if value else None
    with _models_lock:
        cached[owner] = (version, model)
        cached.move_to_end(owner)
        while len(cached) > MAX_CACHED_MODELS:
            cached.popitem(last=False)
    return model


def mailbox_id(tx: Any, account_id: int, name: str | None = None, special_use: str | None = None) -> int | None:
    """The id of a folder by name or (when `name` is None) by special use; None if absent."""
    if name is None:
        return _SPECIAL_ID.scalar(tx, {"account_id": account_id, "special_use": special_use})
    return _MAILBOX_ID.scalar(tx, {"account_id": account_id, "name": canonical(name)})
