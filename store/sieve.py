"""Sieve scripts per account (RFC 5804 semantics: at most one active; the active one
cannot be deleted)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy import delete as sql_delete

from postvak.store import schema
from postvak.store.errors import Conflict, NotFound
from postvak.store.types import Change, SieveScript
from postvak.store.util import Prepared

S = schema.sieve_scripts
# Read for every delivery and ManageSieve session (util.Prepared: 60 -> 3.4 us on SQLite).
_ACTIVE = Prepared(select(S).where(S.c.account_id == bindparam("account_id"), S.c.active.is_(True)).limit(1))


def _script(r: Any) -> SieveScript:
    return SieveScript(r.account_id, r.name, r.content, bool(r.active))


def put_script(tx: Any, account_id: int, name: str, content: str) -> SieveScript:
    """Create or replace (RFC 5804 2.6 PUTSCRIPT)."""
    cond = (S.c.account_id == account_id) & (S.c.name == name)
    if tx.conn.execute(update(S).where(cond).values(content=content)).rowcount == 0:
        tx.conn.execute(S.insert().values(account_id=account_id, name=name, content=content, active=False))
    tx.changes.append(Change("account", account_id))
    return get_script(tx, account_id, name)


def get_script(tx: Any, account_id: int, name: str) -> SieveScript:
    row = tx.conn.execute(select(S).where(S.c.account_id == account_id, S.c.name == name)).first()
    if row is None:
        raise NotFound(f"no script {name}")
    return _script(row)


def list_scripts(tx: Any, account_id: int) -> list[SieveScript]:
    return [_script(r) for r in tx.conn.execute(select(S).where(S.c.account_id == account_id).order_by(S.c.name))]


def activate(tx: Any, account_id: int, name: str | None) -> None:
    """Make `name` the active script; None deactivates all (RFC 5804 2.8 SETACTIVE "")."""
    if name is not None:
        get_script(tx, account_id, name)
    tx.conn.execute(update(S).where(S.c.account_id == account_id).values(active=False))
    if name is not None:
        tx.conn.execute(update(S).where(S.c.account_id == account_id, S.c.name == name).values(active=True))
    tx.changes.append(Change("account", account_id))


def rename_script(tx: Any, account_id: int, old: str, new: str) -> None:
    from postvak.store.errors import AlreadyExists

    get_script(tx, account_id, old)
    if tx.conn.execute(select(S.c.id).where(S.c.account_id == account_id, S.c.name == new)).first():
        raise AlreadyExists(f"script {new} already exists")
    tx.conn.execute(update(S).where(S.c.account_id == account_id, S.c.name == old).values(name=new))


def delete_script(tx: Any, account_id: int, name: str) -> None:
    script = get_script(tx, account_id, name)
    if script.active:
        raise Conflict(f"script {name} is active; deactivate it first")  # RFC 5804 2.10
    tx.conn.execute(sql_delete(S).where(S.c.account_id == account_id, S.c.name == name))


def active_script(tx: Any, account_id: int) -> SieveScript | None:
    row = _ACTIVE.first(tx, {"account_id": account_id})
    return _script(row) if row else None


delete = delete_script  # the brief's name
