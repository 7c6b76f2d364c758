"""Domains, accounts, identities, aliases, groups and recipient resolution."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from postvak.store import schema
from postvak.store.errors import AlreadyExists, NotFound, StoreError
from postvak.store.types import Account, Alias, Change, Domain, Group, Identity, Resolved
from postvak.store.util import Prepared, domain_of, normalize_address, now

SYSTEM_FOLDERS = (  # name, special-use (RFC 6154); created with every account
    ("INBOX", None),
    ("Sent", "\\Sent"),
    ("Drafts", "\\Drafts"),
    ("Trash", "\\Trash"),
    ("Spam", "\\Junk"),
    ("Templates", None),
)
MAX_ALIAS_DEPTH = 8

A = schema.accounts
G, GM = schema.groups, schema.group_members

# Recipient resolution runs for RCPT TO, redirects and replies (util.Prepared: an alias
# 245 -> 12 us, an unknown address 355 -> 12 us on SQLite).
_DOMAIN = Prepared(select(schema.domains.c.id).where(schema.domains.c.name == bindparam("name")))
_ACCOUNT = Prepared(select(A.c.id, A.c.address).where(A.c.address == bindparam("address")))
_ALIAS = Prepared(select(schema.aliases.c.targets).where(schema.aliases.c.alias == bindparam("alias")))
_MEMBERS = Prepared(select(GM.c.address).join(G).where(G.c.name == bindparam("name")))
# Every IMAP/POP3 LOGIN and every sender check reads the account row.
_ACCOUNT_ROW = Prepared(select(A).where(A.c.address == bindparam("address")))
_ACCOUNT_BY_ID = Prepared(select(A).where(A.c.id == bindparam("id")))


# -- domains -----------------------------------------------------------------------
def add_domain(tx: Any, name: str) -> Domain:
    name = name.strip().lower()
    if not name or "@" in name:
        raise StoreError(f"not a domain name: {name!r}")
    if tx.conn.execute(select(schema.domains.c.id).where(schema.domains.c.name == name)).first():
        raise AlreadyExists(f"domain {name} already exists")
    new_id = tx.conn.execute(schema.domains.insert().values(name=name)).inserted_primary_key[0]
    return Domain(new_id, name)


def list_domains(tx: Any) -> list[Domain]:
    rows = tx.conn.execute(select(schema.domains).order_by(schema.domains.c.name))
    return [Domain(r.id, r.name) for r in rows]


def is_local_domain(tx: Any, name: str) -> bool:
    return _DOMAIN.first(tx, {"name": name.strip().lower()}) is not None


def remove_domain(tx: Any, name: str) -> None:
    """Remove a domain and every account in it."""
    name = name.strip().lower()
    row = tx.conn.execute(select(schema.domains.c.id).where(schema.domains.c.name == name)).first()
    if row is None:
        raise NotFound(f"no domain {name}")
    for address in tx.conn.execute(select(A.c.address).where(A.c.domain_id == row.id)).scalars().all():
        remove_account(tx, address)
    tx.conn.execute(delete(schema.domains).where(schema.domains.c.id == row.id))


# -- accounts ----------------------------------------------------------------------
def _account(row: Any) -> Account:
    return Account(row.id, row.address, row.quota_bytes, row.used_bytes, row.password_hash)


def add_account(tx: Any, address: str, password_hash: str, quota_bytes: int | None = None) -> Account:
    """Create an account with its system folders; the domain must exist."""
    from postvak.store.mailboxes import new_mailbox

    address = normalize_address(address)
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        raise StoreError(f"not an address: {address!r}")
    dom = tx.conn.execute(select(schema.domains.c.id).where(schema.domains.c.name == domain)).first()
    if dom is None:
        raise NotFound(f"domain {domain} is not a local domain; add it first")
    if tx.conn.execute(select(A.c.id).where(A.c.address == address)).first():
        raise AlreadyExists(f"account {address} already exists")
    new_id = tx.conn.execute(
        A.insert().values(
            domain_id=dom.id, address=address, password_hash=password_hash,
            quota_bytes=quota_bytes, used_bytes=0, created=now(),
        )
    ).inserted_primary_key[0]
    for name, special in SYSTEM_FOLDERS:
        new_mailbox(tx, new_id, name, special_use=special, system=True)
    tx.changes.append(Change("account", new_id))
    return Account(new_id, address, quota_bytes, 0, password_hash)


def get_account(tx: Any, address: str) -> Account | None:
    row = _ACCOUNT_ROW.first(tx, {"address": normalize_address(address)})
    return _account(row) if row else None


def get_account_by_id(tx: Any, account_id: int) -> Account | None:
    row = _ACCOUNT_BY_ID.first(tx, {"id": account_id})
    return _account(row) if row else None


def _require(tx: Any, address: str) -> Account:
    account = get_account(tx, address)
    if account is None:
        raise NotFound(f"no account {normalize_address(address)}")
    return account


def list_accounts(tx: Any, domain: str | None = None) -> list[Account]:
    query = select(A).order_by(A.c.address)
    if domain is not None:
        query = query.join(schema.domains).where(schema.domains.c.name == domain.strip().lower())
    return [_account(r) for r in tx.conn.execute(query)]


def set_password_hash(tx: Any, address: str, password_hash: str) -> None:
    account = _require(tx, address)
    tx.conn.execute(update(A).where(A.c.id == account.id).values(password_hash=password_hash))
    tx.changes.append(Change("account", account.id))


def set_quota(tx: Any, address: str, quota_bytes: int | None) -> None:
    account = _require(tx, address)
    tx.conn.execute(update(A).where(A.c.id == account.id).values(quota_bytes=quota_bytes))
    tx.changes.append(Change("account", account.id))


def remove_account(tx: Any, address: str) -> None:
    """Remove the account, its folders and messages (blob references released)."""
    account = _require(tx, address)
    M, MB = schema.messages, schema.mailboxes
    shas = tx.conn.execute(
        select(M.c.blob_sha, func.count()).join(MB, MB.c.id == M.c.mailbox_id)
        .where(MB.c.account_id == account.id).group_by(M.c.blob_sha)
    ).all()
    mailbox_ids = select(MB.c.id).where(MB.c.account_id == account.id).scalar_subquery()
    tx.conn.execute(delete(M).where(M.c.mailbox_id.in_(mailbox_ids)))
    for sha, count in shas:
        tx.blobs.unref(tx, sha, count)
    tx.conn.execute(update(MB).where(MB.c.account_id == account.id).values(parent_id=None))
    tx.conn.execute(delete(MB).where(MB.c.account_id == account.id))
    tx.conn.execute(delete(A).where(A.c.id == account.id))
    tx.changes.append(Change("account", account.id))


# -- identities --------------------------------------------------------------------
def add_identity(tx: Any, address: str, identity_address: str) -> Identity:
    """Let the account `address` send as `identity_address`."""
    account = _require(tx, address)
    identity_address = normalize_address(identity_address)
    try:
        with tx.conn.begin_nested():
            new_id = tx.conn.execute(
                schema.identities.insert().values(account_id=account.id, address=identity_address)
            ).inserted_primary_key[0]
    except IntegrityError:
        raise AlreadyExists(f"identity {identity_address} already exists") from None
    return Identity(new_id, account.id, identity_address)


def list_identities(tx: Any, account_id: int) -> list[Identity]:
    rows = tx.conn.execute(
        select(schema.identities).where(schema.identities.c.account_id == account_id)
        .order_by(schema.identities.c.address)
    )
    return [Identity(r.id, r.account_id, r.address) for r in rows]


def sender_allowed(tx: Any, account_id: int, address: str) -> bool:
    """May this account use `address` as sender: its own, an identity, or an alias to it."""
    address = normalize_address(address)
    account = get_account_by_id(tx, account_id)
    if account is None:
        return False
    if address == account.address:
        return True
    if tx.conn.execute(
        select(schema.identities.c.id).where(
            schema.identities.c.account_id == account_id, schema.identities.c.address == address
        )
    ).first():
        return True
    if address.startswith("@"):
        return False
    alias = tx.conn.execute(select(schema.aliases.c.targets).where(schema.aliases.c.alias == address)).first()
    return alias is not None and account.address in [normalize_address(t) for t in alias.targets]


# -- aliases and groups ------------------------------------------------------------
def add_alias(tx: Any, alias: str, targets: list[str] | tuple[str, ...]) -> Alias:
    """`alias` -> targets; "@domain" is the domain's catch-all."""
    alias = normalize_address(alias)
    clean = tuple(normalize_address(t) for t in targets if t.strip())
    if not clean:
        raise StoreError("an alias needs at least one target")
    if tx.conn.execute(select(schema.aliases.c.id).where(schema.aliases.c.alias == alias)).first():
        raise AlreadyExists(f"alias {alias} already exists")
    tx.conn.execute(schema.aliases.insert().values(alias=alias, targets=list(clean)))
    return Alias(alias, clean)


def list_aliases(tx: Any) -> list[Alias]:
    rows = tx.conn.execute(select(schema.aliases).order_by(schema.aliases.c.alias))
    return [Alias(r.alias, tuple(r.targets)) for r in rows]


def remove_alias(tx: Any, alias: str) -> None:
    result = tx.conn.execute(delete(schema.aliases).where(schema.aliases.c.alias == normalize_address(alias)))
    if result.rowcount == 0:
        raise NotFound(f"no alias {alias}")


def add_group(tx: Any, name: str) -> Group:
    name = name.strip().lower()
    if tx.conn.execute(select(schema.groups.c.id).where(schema.groups.c.name == name)).first():
        raise AlreadyExists(f"group {name} already exists")
    tx.conn.execute(schema.groups.insert().values(name=name))
    return Group(name, ())


def add_group_member(tx: Any, group: str, address: str) -> None:
    gid = tx.conn.execute(select(schema.groups.c.id).where(schema.groups.c.name == group.strip().lower())).scalar()
    if gid is None:
        raise NotFound(f"no group {group}")
    address = normalize_address(address)
    exists = tx.conn.execute(
        select(schema.group_members.c.address).where(
            schema.group_members.c.group_id == gid, schema.group_members.c.address == address
        )
    ).first()
    if exists:
        raise AlreadyExists(f"{address} is already in group {group}")
    tx.conn.execute(schema.group_members.insert().values(group_id=gid, address=address))


def list_groups(tx: Any) -> list[Group]:
    rows = tx.conn.execute(select(G.c.name, GM.c.address).outerjoin(GM).order_by(G.c.name, GM.c.address))
    groups: dict[str, list[str]] = {}
    for name, address in rows:
        groups.setdefault(name, [])
        if address is not None:
            groups[name].append(address)
    return [Group(name, tuple(members)) for name, members in groups.items()]


# -- recipients --------------------------------------------------------------------
def resolve_recipient(tx: Any, address: str) -> list[Resolved]:
    """Local accounts that receive mail for `address`; [] when unknown.

    Order: account, alias, group, plus-addressing (RFC 5233 user+detail), catch-all.
    """
    address = normalize_address(address)
    local, _, domain = address.rpartition("@")
    if not local or not is_local_domain(tx, domain):
        return []
    found: dict[int, Resolved] = {}
    _expand(tx, address, None, found, 0, set())
    if not found and "+" in local:
        base, _, detail = local.partition("+")
        _expand(tx, f"{base}@{domain}", detail or None, found, 0, set())
    if not found:
        _expand(tx, f"@{domain}", None, found, 0, set())
    return list(found.values())


def _expand(tx: Any, address: str, detail: str | None, found: dict[int, Resolved], depth: int, seen: set) -> None:
    if depth > MAX_ALIAS_DEPTH or address in seen:
        return
    seen.add(address)
    account = _ACCOUNT.first(tx, {"address": address})
    if account is not None:
        found.setdefault(account.id, Resolved(account.id, account.address, detail))
        return
    alias = _ALIAS.first(tx, {"alias": address})
    if alias is not None:
        for target in alias.targets:
            target = normalize_address(target)
            if is_local_domain(tx, domain_of(target)):
                _expand(tx, target, detail, found, depth + 1, seen)
        return
    for member in _MEMBERS.rows(tx, {"name": address}):
        _expand(tx, member.address, detail, found, depth + 1, seen)
