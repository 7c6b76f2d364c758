"""Spam state in the store's state table (store/state.py), as write/read jobs:
the global model, each user's model, and per-user allow/block lists.

Keys: scope "spam"; (account None, "model") is the global model; (account, "model")
the user's; (account, "allow"/"block") JSON lists of addresses or "@domain"."""

from __future__ import annotations

from typing import Any

from postvak.filters import spam as spamfilter
from postvak.store import state

SCOPE = "spam"


def global_model(tx: Any) -> bytes | None:
    value = state.get(tx, SCOPE, None, "model")
    return bytes(value) if value else None


def user_model(tx: Any, account_id: int) -> bytes | None:
    value = state.get(tx, SCOPE, account_id, "model")
    return bytes(value) if value else None


def lists(tx: Any, account_id: int) -> dict[str, tuple[str, ...]]:
    return {name: tuple(state.get(tx, SCOPE, account_id, name, []) or ()) for name in ("allow", "block")}


def account_state(tx: Any, account_id: int) -> tuple[bytes | None, tuple[str, ...], tuple[str, ...]]:
    """(user model, allow list, block list) in one query: what each delivery reads."""
    found = {e.key: e.value for e in state.list_entries(tx, SCOPE, account_id)}
    model = found.get("model")
    return (bytes(model) if model else None, tuple(found.get("allow") or ()), tuple(found.get("block") or ()))


def add_to_list(tx: Any, account_id: int, which: str, address: str) -> tuple[str, ...]:
    """Add to "allow" or "block" (and drop it from the other list: one decision per sender)."""
    if which not in ("allow", "block"):
        raise ValueError(which)
    entry = address.strip().lower()
    other = "block" if which == "allow" else "allow"
    current = lists(tx, account_id)
    state.put(tx, SCOPE, account_id, other, [a for a in current[other] if a != entry])
    values = list(dict.fromkeys([*current[which], entry]))
    state.put(tx, SCOPE, account_id, which, values)
    return tuple(values)


def train(tx: Any, account_id: int | None, raw: bytes, is_spam: bool, undo: bool | None = None) -> None:
    """Train one message into the user's model and the global one (one transaction,
    so concurrent trainers on the writer thread never lose an update)."""
    for owner in dict.fromkeys([account_id, None]):
        current = state.get(tx, SCOPE, owner, "model")
        updated = spamfilter.learn(bytes(current) if current else None, raw, is_spam, undo=undo)
        state.put(tx, SCOPE, owner, "model", updated)
