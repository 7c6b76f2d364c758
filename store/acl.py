"""Mailbox sharing: RFC 4314 access control lists over the `acl` table.

Rights letters (RFC 4314 2.1): l lookup, r read, s keep seen, w write flags, i insert,
p post, k create mailboxes, x delete mailbox, t delete messages, e expunge, a administer.
The owner implicitly holds every right; the table holds grants to other accounts only.
Granting to a whole group is deliberately not possible (FEATURES.md: share with chosen
members, never with a group at once): a grantee is always one account.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from postvak.store import schema
from postvak.store.errors import NotFound, StoreError
from postvak.store.mailboxes import _mailbox
from postvak.store.types import AclEntry, Change, SharedMailbox
from postvak.store.util import upsert

RIGHTS = "lrswipkxtea"  # canonical order (RFC 4314 2.1)
# RFC 4314 2.1.1: the obsolete RFC 2086 rights "c" and "d" stand for groups of new ones.
OBSOLETE = {"c": "kx", "d": "xte"}
ACL, MB, A = schema.acl, schema.mailboxes, schema.accounts


def normalize_rights(rights: str) -> str:
    """Known letters in canonical order; "c"/"d" expanded; anything else is an error
    (RFC 4314 3.1: SETACL with an unknown right fails)."""
    letters: set[str] = set()
    for ch in rights:
        if ch in RIGHTS:
            letters.add(ch)
        elif ch in OBSOLETE:
            letters.update(OBSOLETE[ch])
        else:
            raise StoreError(f"unknown right {ch!r} (RFC 4314 rights are {RIGHTS})")
    return "".join(ch for ch in RIGHTS if ch in letters)


def _owner(tx: Any, mailbox_id: int) -> int:
    owner = tx.conn.execute(select(MB.c.account_id).where(MB.c.id == mailbox_id)).scalar()
    if owner is None:
        raise NotFound(f"no mailbox {mailbox_id}")
    return int(owner)


def _current(tx: Any, mailbox_id: int, grantee_id: int) -> str:
    return tx.conn.execute(
        select(ACL.c.rights).where(ACL.c.mailbox_id == mailbox_id, ACL.c.grantee_id == grantee_id)
    ).scalar() or ""


def set_rights(tx: Any, mailbox_id: int, grantee_account_id: int, rights: str) -> str:
    """SETACL (RFC 4314 3.1): "+lr" adds, "-w" removes, anything else replaces.
    Returns the grantee's rights afterwards; no rights left removes the entry."""
    owner = _owner(tx, mailbox_id)
    if grantee_account_id == owner:
        raise StoreError("the owner's rights cannot be changed")
    if tx.conn.execute(select(A.c.id).where(A.c.id == grantee_account_id)).scalar() is None:
        raise NotFound(f"no account {grantee_account_id}")
    mode, letters = (rights[0], rights[1:]) if rights[:1] in ("+", "-") else ("=", rights)
    wanted = set(normalize_rights(letters))
    current = set(_current(tx, mailbox_id, grantee_account_id))
    new = wanted if mode == "=" else current | wanted if mode == "+" else current - wanted
    result = "".join(ch for ch in RIGHTS if ch in new)
    if not result:
        delete_rights(tx, mailbox_id, grantee_account_id)
        return ""
    stmt = upsert(tx, ACL).values(mailbox_id=mailbox_id, grantee_id=grantee_account_id, rights=result)
    tx.conn.execute(stmt.on_conflict_do_update(index_elements=["mailbox_id", "grantee_id"], set_={"rights": result}))
    _changed(tx, owner, grantee_account_id, mailbox_id)
    return result


def delete_rights(tx: Any, mailbox_id: int, grantee_account_id: int) -> bool:
    """DELETEACL (RFC 4314 3.2); True when there was an entry. Takes effect at once: the
    change tells the grantee's sessions to drop the mailbox."""
    owner = _owner(tx, mailbox_id)
    gone = tx.conn.execute(
        delete(ACL).where(ACL.c.mailbox_id == mailbox_id, ACL.c.grantee_id == grantee_account_id)
    ).rowcount
    if gone:
        _changed(tx, owner, grantee_account_id, mailbox_id)
    return bool(gone)


def list_rights(tx: Any, mailbox_id: int) -> list[AclEntry]:
    """GETACL (RFC 4314 3.3): the grants on a mailbox, by grantee address (owner not listed)."""
    _owner(tx, mailbox_id)
    rows = tx.conn.execute(
        select(ACL.c.grantee_id, A.c.address, ACL.c.rights).join(A, A.c.id == ACL.c.grantee_id)
        .where(ACL.c.mailbox_id == mailbox_id).order_by(A.c.address)
    )
    return [AclEntry(mailbox_id, r.grantee_id, r.address, r.rights) for r in rows]


def my_rights(tx: Any, account_id: int, mailbox_id: int) -> str:
    """MYRIGHTS (RFC 4314 3.5): every right for the owner, the grant for others, or ""."""
    if _owner(tx, mailbox_id) == account_id:
        return RIGHTS
    return _current(tx, mailbox_id, account_id)


def list_shared(tx: Any, account_id: int) -> list[SharedMailbox]:
    """Other accounts' mailboxes this account may look up ("l"), by owner then name."""
    rows = tx.conn.execute(
        select(MB, A.c.address.label("owner_address"), ACL.c.rights)
        .join(ACL, ACL.c.mailbox_id == MB.c.id).join(A, A.c.id == MB.c.account_id)
        .where(ACL.c.grantee_id == account_id, ACL.c.rights.contains("l"))
        .order_by(A.c.address, MB.c.name)
    )
    return [SharedMailbox(_mailbox(r), r.owner_address, r.rights) for r in rows]


def _changed(tx: Any, owner: int, grantee: int, mailbox_id: int) -> None:
    # Both sides' sessions re-read: the owner's GETACL view and the grantee's LIST.
    tx.changes.append(Change("mailbox", owner, mailbox_id))
    tx.changes.append(Change("mailbox", grantee, mailbox_id))


__all__ = [
    "RIGHTS", "normalize_rights", "set_rights", "delete_rights", "list_rights", "my_rights", "list_shared",
]
