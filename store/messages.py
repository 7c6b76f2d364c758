"""Messages in a mailbox: snapshot, metadata, flags (CONDSTORE), copy, move, expunge.

`ingest` (the one path for new messages) lives in ingest.py and is re-exported here.
Lock order in every function: message rows -> blobs -> mailboxes -> accounts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from postvak.store import schema, search
from postvak.store.errors import NotFound
from postvak.store.flags import COLUMNS, apply, from_row, normalize, to_values
from postvak.store.ingest import add_usage, ingest, precheck_quota
from postvak.store.mailboxes import _mailbox, get_special
from postvak.store.types import Change, FlagState, MessageMeta, Snapshot
from postvak.store.util import Prepared, utc

__all__ = [
    "ingest", "snapshot", "fetch_meta", "set_flags", "copy", "move", "expunge", "changes_since",
    "set_annotation", "purge_older", "make_room",
]

M, MB, A = schema.messages, schema.mailboxes, schema.accounts
LITE = (M.c.id, M.c.mailbox_id, M.c.uid, M.c.modseq, *[M.c[c] for c in COLUMNS], M.c.keywords,
        M.c.internal_date, M.c.size, M.c.blob_sha, M.c.thread_id)
FULL = (*LITE, M.c.envelope, M.c.body, M.c.preview, M.c.annotation)
CHUNK = 500

# Every IMAP sync that finds the mailbox moved on runs these (util.Prepared).
_CHANGED = Prepared(
    select(*LITE).where(M.c.mailbox_id == bindparam("mailbox_id"), M.c.modseq > bindparam("modseq")).order_by(M.c.uid)
)
_GONE = Prepared(
    select(schema.expunged.c.uid)
    .where(schema.expunged.c.mailbox_id == bindparam("mailbox_id"), schema.expunged.c.modseq > bindparam("modseq"))
    .order_by(schema.expunged.c.uid)
)

# The STORE and EXPUNGE statements, built and compiled once (util.Prepared): building
# and executing Core constructs per call was most of the writer thread's time in them.
_FLAG_COLS = (M.c.id, M.c.uid, M.c.modseq, *[M.c[c] for c in COLUMNS], M.c.keywords)
_FLAG_ROWS = select(*_FLAG_COLS).where(
    M.c.mailbox_id == bindparam("mailbox_id"), M.c.uid.in_(bindparam("uids", expanding=True))
).order_by(M.c.uid)
_LOCK_FLAG_ROWS = Prepared(_FLAG_ROWS.with_for_update())
_BUMP_FLAGS = Prepared(
    update(MB).where(MB.c.id == bindparam("mailbox_id")).values(
        highestmodseq=MB.c.highestmodseq + bindparam("n"), unseen=MB.c.unseen + bindparam("unseen"),
    ).returning(MB.c.highestmodseq, MB.c.account_id)
)
_SET_FLAGS = Prepared(
    update(M).where(M.c.id == bindparam("_id")).values(
        modseq=bindparam("_modseq", type_=M.c.modseq.type), keywords=bindparam("_keywords", type_=M.c.keywords.type),
        **{c: bindparam(f"_{c}", type_=M.c[c].type) for c in COLUMNS},
    )
)
_ACCOUNT_OF = Prepared(select(MB.c.account_id).where(MB.c.id == bindparam("mailbox_id")))
_REMOVED = (M.c.uid, M.c.size, M.c.blob_sha, M.c.seen)
_EXPUNGE_ALL = Prepared(
    delete(M).where(M.c.mailbox_id == bindparam("mailbox_id"), M.c.deleted.is_(True)).returning(*_REMOVED)
)
_EXPUNGE_UIDS = Prepared(
    delete(M).where(
        M.c.mailbox_id == bindparam("mailbox_id"), M.c.deleted.is_(True), M.c.uid.in_(bindparam("uids", expanding=True))
    ).returning(*_REMOVED)
)
_BUMP_REMOVED = Prepared(
    update(MB).where(MB.c.id == bindparam("mailbox_id")).values(
        highestmodseq=MB.c.highestmodseq + bindparam("n"), messages=MB.c.messages - bindparam("n"),
        unseen=MB.c.unseen - bindparam("unseen"), size=MB.c.size - bindparam("size"),
    ).returning(MB.c.highestmodseq, MB.c.account_id)
)
_LOG_EXPUNGED = Prepared(schema.expunged.insert().values(
    mailbox_id=bindparam("mailbox_id"), uid=bindparam("uid"), modseq=bindparam("modseq")
))


def _meta(r: Any, full: bool = False) -> MessageMeta:
    return MessageMeta(
        r.id, r.mailbox_id, int(r.uid), int(r.modseq), from_row(r), utc(r.internal_date),  # type: ignore[arg-type]
        int(r.size), r.blob_sha, r.thread_id,
        r.envelope if full else None, r.body if full else None,
        r.preview if full else None, r.annotation if full else None,
    )


def _chunks(uids: Iterable[int]) -> Iterable[list[int]]:
    items = sorted(set(int(u) for u in uids))
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _rows(tx: Any, mailbox_id: int, uids: Iterable[int] | None, cols: Any = LITE, lock: bool = False) -> list[Any]:
    out: list[Any] = []
    parts: Iterable[list[int] | None] = [None] if uids is None else _chunks(uids)
    for part in parts:
        query = select(*cols).where(M.c.mailbox_id == mailbox_id)
        if part is not None:
            query = query.where(M.c.uid.in_(part))
        if lock:
            query = query.with_for_update()
        out.extend(tx.conn.execute(query.order_by(M.c.uid)).all())
    return out


def _account_of(tx: Any, mailbox_id: int) -> int:
    owner = _ACCOUNT_OF.scalar(tx, {"mailbox_id": mailbox_id})
    if owner is None:
        raise NotFound(f"no mailbox {mailbox_id}")
    return int(owner)


def snapshot(tx: Any, mailbox_id: int) -> Snapshot:
    """The mailbox and all its messages (no JSON), for SELECT / sync."""
    row = tx.conn.execute(select(MB).where(MB.c.id == mailbox_id)).first()
    if row is None:
        raise NotFound(f"no mailbox {mailbox_id}")
    return Snapshot(_mailbox(row), tuple(_meta(r) for r in _rows(tx, mailbox_id, None)))


def fetch_meta(tx: Any, mailbox_id: int, uids: Iterable[int]) -> list[MessageMeta]:
    """Metadata with envelope, body structure, preview and annotation, ascending uid."""
    return [_meta(r, full=True) for r in _rows(tx, mailbox_id, uids, FULL)]


def _bump(tx: Any, mailbox_id: int, n: int, **deltas: int) -> int:
    """Reserve `n` modseqs (and adjust counters); returns the highest."""
    values: dict[str, Any] = {"highestmodseq": MB.c.highestmodseq + n}
    for name, delta in deltas.items():
        if delta:
            values[name] = MB.c[name] + delta
    return int(tx.conn.execute(update(MB).where(MB.c.id == mailbox_id).values(**values)
                               .returning(MB.c.highestmodseq)).scalar_one())


def set_flags(
    tx: Any, mailbox_id: int, uids: Iterable[int], mode: str, flags: Iterable[str],
    unchanged_since: int | None = None,
) -> tuple[list[FlagState], list[int]]:
    """STORE: returns (changed messages with their new modseq, uids failing UNCHANGEDSINCE).

    RFC 7162 3.1.3: a message whose modseq is above UNCHANGEDSINCE is not changed and
    reported; a message whose flags do not change keeps its modseq."""
    wanted = normalize(flags)
    rows: list[Any] = []
    for part in _chunks(uids):
        rows += _LOCK_FLAG_ROWS.rows(tx, {"mailbox_id": mailbox_id, "uids": part})
    if not rows:
        _account_of(tx, mailbox_id)  # NotFound for a missing mailbox; its messages prove it exists
        return [], []
    updates, failed = [], []
    unseen_delta = 0
    for r in rows:
        if unchanged_since is not None and int(r.modseq) > unchanged_since:
            failed.append(int(r.uid))
            continue
        old = from_row(r)
        new = apply(old, mode, wanted)
        if new != old:
            updates.append((r, new))
            unseen_delta += ("\\Seen" in old) - ("\\Seen" in new)
    if not updates:
        return [], failed
    bumped = _BUMP_FLAGS.first(tx, {"mailbox_id": mailbox_id, "n": len(updates), "unseen": unseen_delta})
    top, account_id = int(bumped.highestmodseq), int(bumped.account_id)
    first = top - len(updates) + 1
    params, changed = [], []
    for i, (r, new) in enumerate(updates):
        uid, modseq = int(r.uid), first + i
        values = to_values(new)
        params.append({"_id": r.id, "_modseq": modseq, **{f"_{k}": v for k, v in values.items()}})
        changed.append(FlagState(uid, modseq, new))
        tx.changes.append(Change("flags", account_id, mailbox_id, uid, modseq))
    _SET_FLAGS.executemany(tx, params)
    return changed, failed


def copy(tx: Any, src_mailbox_id: int, uids: Iterable[int], dst_mailbox_id: int) -> list[tuple[int, int]]:
    """COPY (RFC 9051 6.4.7): new UIDs in the destination, flags kept, blobs shared."""
    src_rows = _rows(tx, src_mailbox_id, uids, (*FULL, M.c.h_from, M.c.h_to, M.c.h_cc, M.c.h_subject,
                                                 M.c.sent_date, M.c.message_id))
    return _copy_rows(tx, src_mailbox_id, src_rows, dst_mailbox_id)


def _copy_rows(tx: Any, src_mailbox_id: int, src_rows: list[Any], dst_mailbox_id: int) -> list[tuple[int, int]]:
    if not src_rows:
        return []
    src_account = _account_of(tx, src_mailbox_id)
    dst_account = _account_of(tx, dst_mailbox_id)
    total = sum(int(r.size) for r in src_rows)
    precheck_quota(tx, dst_account, total)
    for sha, n in sorted(Counter(r.blob_sha for r in src_rows).items()):
        tx.blobs.ref(tx, sha, n)
    n = len(src_rows)
    unseen = sum(1 for r in src_rows if not r.seen)
    row = tx.conn.execute(
        update(MB).where(MB.c.id == dst_mailbox_id).values(
            uidnext=MB.c.uidnext + n, highestmodseq=MB.c.highestmodseq + n, messages=MB.c.messages + n,
            unseen=MB.c.unseen + unseen, size=MB.c.size + total,
        ).returning(MB.c.uidnext, MB.c.highestmodseq)
    ).one()
    add_usage(tx, dst_account, total, True)
    first_uid, first_modseq = int(row.uidnext) - n, int(row.highestmodseq) - n + 1
    pairs = []
    for i, r in enumerate(src_rows):
        uid, modseq = first_uid + i, first_modseq + i
        values = {k: getattr(r, k) for k in r._fields if k not in ("id", "mailbox_id", "uid", "modseq")}
        if src_account != dst_account:
            values["thread_id"] = None  # threads are per account
        new_id = tx.conn.execute(
            M.insert().values(mailbox_id=dst_mailbox_id, uid=uid, modseq=modseq, **values).returning(M.c.id)
        ).scalar_one()
        search.copy_terms(tx, r.id, new_id)
        pairs.append((int(r.uid), uid))
        tx.changes.append(Change("new", dst_account, dst_mailbox_id, uid, modseq))
    return pairs


def move(tx: Any, src_mailbox_id: int, uids: Iterable[int], dst_mailbox_id: int) -> list[tuple[int, int]]:
    """MOVE (RFC 6851): copy, then expunge the originals whatever their \\Deleted flag."""
    cols = (*FULL, M.c.h_from, M.c.h_to, M.c.h_cc, M.c.h_subject, M.c.sent_date, M.c.message_id)
    src_rows = _rows(tx, src_mailbox_id, uids, cols, lock=True)
    pairs = _copy_rows(tx, src_mailbox_id, src_rows, dst_mailbox_id)
    _remove(tx, src_mailbox_id, M.c.uid.in_([r.uid for r in src_rows]) if src_rows else None)
    return pairs


def expunge(tx: Any, mailbox_id: int, uids: Iterable[int] | None = None) -> list[int]:
    """Remove messages flagged \\Deleted (only those in `uids` when given: UID EXPUNGE)."""
    if uids is None:
        return _log_removed(tx, mailbox_id, _EXPUNGE_ALL.rows(tx, {"mailbox_id": mailbox_id}))
    wanted = sorted(set(int(u) for u in uids))
    if not wanted:
        return []
    rows: list[Any] = []
    for i in range(0, len(wanted), CHUNK):
        rows += _EXPUNGE_UIDS.rows(tx, {"mailbox_id": mailbox_id, "uids": wanted[i : i + CHUNK]})
    return _log_removed(tx, mailbox_id, rows)


def _remove(tx: Any, mailbox_id: int, cond: Any) -> list[int]:
    """Delete matching messages, log them as expunged with fresh modseqs (RFC 7162 QRESYNC)."""
    if cond is None:
        return []
    rows = tx.conn.execute(delete(M).where(M.c.mailbox_id == mailbox_id, cond).returning(*_REMOVED)).all()
    return _log_removed(tx, mailbox_id, rows)


def _log_removed(tx: Any, mailbox_id: int, rows: list[Any]) -> list[int]:
    """The bookkeeping of deleted message rows: blob references, counters, quota usage,
    the expunge log and the change records, one statement each for all of them."""
    if not rows:
        _account_of(tx, mailbox_id)  # NotFound for a missing mailbox, as before any delete
        return []
    for sha, n in sorted(Counter(r.blob_sha for r in rows).items()):
        tx.blobs.unref(tx, sha, n)
    size = sum(int(r.size) for r in rows)
    unseen = sum(1 for r in rows if not r.seen)
    uids = sorted(int(r.uid) for r in rows)
    bumped = _BUMP_REMOVED.first(tx, {"mailbox_id": mailbox_id, "n": len(uids), "unseen": unseen, "size": size})
    top, account_id = int(bumped.highestmodseq), int(bumped.account_id)
    add_usage(tx, account_id, -size, False)
    first = top - len(uids) + 1
    _LOG_EXPUNGED.executemany(tx, [{"mailbox_id": mailbox_id, "uid": u, "modseq": first + i} for i, u in enumerate(uids)])
    for i, uid in enumerate(uids):
        tx.changes.append(Change("expunge", account_id, mailbox_id, uid, first + i))
    return uids


def release_messages(tx: Any, account_id: int, cond: Any) -> int:
    """Delete messages of mailboxes that are going away (no expunge log); returns bytes freed."""
    rows = tx.conn.execute(delete(M).where(cond).returning(M.c.size, M.c.blob_sha)).all()
    for sha, n in sorted(Counter(r.blob_sha for r in rows).items()):
        tx.blobs.unref(tx, sha, n)
    size = sum(int(r.size) for r in rows)
    if size:
        add_usage(tx, account_id, -size, False)
    return size


def changes_since(tx: Any, mailbox_id: int, modseq: int) -> tuple[list[MessageMeta], list[int]]:
    """CONDSTORE/QRESYNC: messages changed after `modseq`, and uids expunged after it."""
    params = {"mailbox_id": mailbox_id, "modseq": modseq}
    rows = _CHANGED.rows(tx, params)
    return [_meta(r) for r in rows], [int(r[0]) for r in _GONE.rows(tx, params)]


def set_annotation(tx: Any, mailbox_id: int, uid: int, text: str | None) -> int:
    """The owner's private comment on a message; returns the new modseq."""
    account_id = _account_of(tx, mailbox_id)
    exists = tx.conn.execute(
        select(M.c.id).where(M.c.mailbox_id == mailbox_id, M.c.uid == uid).with_for_update()
    ).scalar()
    if exists is None:
        raise NotFound(f"no message {uid}")
    modseq = _bump(tx, mailbox_id, 1)
    tx.conn.execute(update(M).where(M.c.id == exists).values(annotation=text or None, modseq=modseq))
    tx.changes.append(Change("flags", account_id, mailbox_id, uid, modseq))
    return modseq


def purge_older(tx: Any, account_id: int, special_use: str, older_than: datetime) -> int:
    """Expunge messages in the special folder (e.g. \\Trash, \\Junk) older than a date."""
    mailbox = get_special(tx, account_id, special_use)
    return len(_remove(tx, mailbox.id, M.c.internal_date < utc(older_than)))


def make_room(tx: Any, account_id: int, needed_bytes: int) -> bool:
    """Purge the oldest Trash, then the oldest Spam, until `needed_bytes` fit in the quota."""
    def shortfall() -> int:
        row = tx.conn.execute(select(A.c.used_bytes, A.c.quota_bytes).where(A.c.id == account_id)).one()
        return 0 if row.quota_bytes is None else int(row.used_bytes) + needed_bytes - int(row.quota_bytes)

    for special in ("\\Trash", "\\Junk"):
        try:
            mailbox = get_special(tx, account_id, special)
        except NotFound:
            continue
        while (short := shortfall()) > 0:
            rows = tx.conn.execute(
                select(M.c.uid, M.c.size).where(M.c.mailbox_id == mailbox.id)
                .order_by(M.c.internal_date, M.c.uid).limit(200)
            ).all()
            if not rows:
                break
            picked, freed = [], 0
            for r in rows:
                picked.append(int(r.uid))
                freed += int(r.size)
                if freed >= short:
                    break
            _remove(tx, mailbox.id, M.c.uid.in_(picked))
    return shortfall() <= 0

