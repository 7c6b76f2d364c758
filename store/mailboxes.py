"""Folders: system folders, hierarchy ("/" separated), subscriptions, delete-to-Trash."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update

from postvak.store import schema
from postvak.store.errors import AlreadyExists, Forbidden, LimitExceeded, NotFound, StoreError
from postvak.store.types import Change, Mailbox
from postvak.store.util import Prepared

SEP = "/"
MB = schema.mailboxes
MAX_NAME = MB.c.name.type.length  # characters of a mailbox's full name
NO_CHILDREN = ("\\Sent", "\\Junk")  # no user folders under Sent or Spam
# Every IMAP SELECT, APPEND and sync reads a mailbox row: compiled once (util.Prepared).
_BY_NAME = Prepared(select(MB).where(MB.c.account_id == bindparam("account_id"), MB.c.name == bindparam("name")))
_BY_ID = Prepared(select(MB).where(MB.c.id == bindparam("id")))


def _mailbox(r: Any) -> Mailbox:
    return Mailbox(
        r.id, r.account_id, r.name, r.special_use, bool(r.system), bool(r.subscribed), int(r.uidvalidity),
        int(r.uidnext), int(r.highestmodseq), int(r.messages), int(r.unseen), int(r.size), int(r.recent_uid),
    )


def canonical(name: str) -> str:
    """INBOX is case-insensitive (RFC 9051 5.1), also as a parent ("inbox/x")."""
    name = name.strip(SEP)
    head, sep, rest = name.partition(SEP)
    if head.upper() == "INBOX":
        return "INBOX" + sep + rest
    return name


def _validate(name: str) -> None:
    if not name or any(not part for part in name.split(SEP)):
        raise StoreError(f"invalid mailbox name {name!r}")
    if any(ch in name for ch in "\r\n\x00*%"):
        raise StoreError(f"invalid character in mailbox name {name!r}")
    _check_length(name)


def _check_length(name: str) -> None:
    # The column's size: PostgreSQL refuses a longer value (SQLite would keep it), so the
    # same name must fail the same clear way on both.
    if len(name) > MAX_NAME:
        raise LimitExceeded(f"mailbox name longer than {MAX_NAME} characters")


def new_mailbox(
    tx: Any, account_id: int, name: str, *, special_use: str | None = None, system: bool = False,
    parent_id: int | None = None,
) -> int:
    """Insert one mailbox row (no checks); returns its id."""
    # RFC 9051 2.3.1.1: a new UIDVALIDITY must differ from any earlier one for the name.
    highest = tx.conn.execute(select(func.max(MB.c.uidvalidity)).where(MB.c.account_id == account_id)).scalar()
    uidvalidity = max(int(time.time()) & 0x7FFFFFFF, int(highest or 0) + 1)
    new_id = tx.conn.execute(
        MB.insert().values(
            account_id=account_id, name=name, parent_id=parent_id, special_use=special_use, system=system,
            subscribed=True, uidvalidity=uidvalidity, uidnext=1, highestmodseq=1, messages=0, unseen=0, size=0,
        )
    ).inserted_primary_key[0]
    tx.changes.append(Change("mailbox", account_id, new_id))
    return new_id


def list_mailboxes(tx: Any, account_id: int) -> list[Mailbox]:
    rows = tx.conn.execute(select(MB).where(MB.c.account_id == account_id).order_by(MB.c.name))
    return [_mailbox(r) for r in rows]


def find_mailbox(tx: Any, account_id: int, name: str) -> Mailbox | None:
    row = _BY_NAME.first(tx, {"account_id": account_id, "name": canonical(name)})
    return _mailbox(row) if row else None


def get_mailbox(tx: Any, account_id: int, name: str) -> Mailbox:
    mailbox = find_mailbox(tx, account_id, name)
    if mailbox is None:
        raise NotFound(f"no mailbox {name}")
    return mailbox


def get_mailbox_by_id(tx: Any, mailbox_id: int) -> Mailbox:
    row = _BY_ID.first(tx, {"id": mailbox_id})
    if row is None:
        raise NotFound(f"no mailbox {mailbox_id}")
    return _mailbox(row)


def status(tx: Any, mailbox_id: int) -> Mailbox:
    return get_mailbox_by_id(tx, mailbox_id)


def get_special(tx: Any, account_id: int, special_use: str) -> Mailbox:
    row = tx.conn.execute(
        select(MB).where(MB.c.account_id == account_id, MB.c.special_use == special_use, MB.c.system.is_(True))
    ).first()
    if row is None:
        raise NotFound(f"no {special_use} mailbox")
    return _mailbox(row)


def _top(tx: Any, account_id: int, name: str) -> Mailbox | None:
    return find_mailbox(tx, account_id, name.split(SEP)[0])


def create_mailbox(tx: Any, account_id: int, name: str, special_use: str | None = None) -> Mailbox:
    """Create `name` and any missing parents (RFC 9051 6.3.4)."""
    name = canonical(name)
    _validate(name)
    if find_mailbox(tx, account_id, name) is not None:
        raise AlreadyExists(f"mailbox {name} already exists")
    top = _top(tx, account_id, name)
    if SEP in name and top is not None and top.system and top.special_use in NO_CHILDREN:
        raise Forbidden(f"no folders can be created under {top.name}")
    parts = name.split(SEP)
    parent_id = None
    for depth in range(1, len(parts) + 1):
        path = SEP.join(parts[:depth])
        existing = find_mailbox(tx, account_id, path)
        if existing is not None:
            parent_id = existing.id
            continue
        use = special_use if depth == len(parts) else None
        parent_id = new_mailbox(tx, account_id, path, special_use=use, parent_id=parent_id)
    return get_mailbox_by_id(tx, parent_id)  # type: ignore[arg-type]


def _subtree(tx: Any, account_id: int, name: str) -> list[Any]:
    like = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + SEP + "%"
    return tx.conn.execute(
        select(MB).where(MB.c.account_id == account_id, or_(MB.c.name == name, MB.c.name.like(like, escape="\\")))
        .order_by(MB.c.name)
    ).all()


def rename_mailbox(tx: Any, account_id: int, old: str, new: str) -> Mailbox:
    """Rename a user folder; its children follow (RFC 9051 6.3.6)."""
    old, new = canonical(old), canonical(new)
    _validate(new)
    source = get_mailbox(tx, account_id, old)
    if source.system:
        raise Forbidden(f"{source.name} is a system folder and cannot be renamed")
    if new == old or new.startswith(old + SEP):
        raise StoreError("cannot rename a folder into itself")
    if find_mailbox(tx, account_id, new) is not None:
        raise AlreadyExists(f"mailbox {new} already exists")
    top = _top(tx, account_id, new)
    if SEP in new and top is not None and top.system and top.special_use in NO_CHILDREN:
        raise Forbidden(f"no folders can be moved under {top.name}")
    _move_subtree(tx, account_id, source.name, new)
    return get_mailbox(tx, account_id, new)


def _move_subtree(tx: Any, account_id: int, old: str, new: str) -> None:
    rows = _subtree(tx, account_id, old)
    for r in rows:  # children's names grow with a longer parent: all checked before any is written
        _check_length(new + r.name[len(old) :])
    parent_name = new.rpartition(SEP)[0]
    parent_id = None
    if parent_name:
        parent = find_mailbox(tx, account_id, parent_name) or create_mailbox(tx, account_id, parent_name)
        parent_id = parent.id
    for r in rows:
        values: dict[str, Any] = {"name": new + r.name[len(old) :]}
        if r.name == old:
            values["parent_id"] = parent_id
        tx.conn.execute(update(MB).where(MB.c.id == r.id).values(**values))
        tx.changes.append(Change("mailbox", account_id, r.id))


def delete_mailbox(tx: Any, account_id: int, name: str) -> None:
    """Move a user folder with its children and contents under Trash; inside Trash, delete for real."""
    name = canonical(name)
    mailbox = get_mailbox(tx, account_id, name)
    if mailbox.system:
        raise Forbidden(f"{mailbox.name} is a system folder and cannot be deleted")
    trash = get_special(tx, account_id, "\\Trash")
    if name.startswith(trash.name + SEP):
        _destroy(tx, account_id, name)
        return
    leaf = name.rpartition(SEP)[2]
    target = f"{trash.name}{SEP}{leaf}"
    n = 2
    while find_mailbox(tx, account_id, target) is not None:
        target = f"{trash.name}{SEP}{leaf} ({n})"
        n += 1
    _move_subtree(tx, account_id, name, target)


def _destroy(tx: Any, account_id: int, name: str) -> None:
    from postvak.store.messages import release_messages

    rows = _subtree(tx, account_id, name)
    ids = [r.id for r in rows]
    release_messages(tx, account_id, schema.messages.c.mailbox_id.in_(ids))
    tx.conn.execute(update(MB).where(MB.c.id.in_(ids)).values(parent_id=None))
    tx.conn.execute(delete(schema.expunged).where(schema.expunged.c.mailbox_id.in_(ids)))
    tx.conn.execute(delete(MB).where(and_(MB.c.id.in_(ids), MB.c.account_id == account_id)))
    for mailbox_id in ids:
        tx.changes.append(Change("mailbox", account_id, mailbox_id))


def set_subscribed(tx: Any, account_id: int, name: str, subscribed: bool) -> None:
    mailbox = get_mailbox(tx, account_id, name)
    tx.conn.execute(update(MB).where(MB.c.id == mailbox.id).values(subscribed=subscribed))
    tx.changes.append(Change("mailbox", account_id, mailbox.id))
