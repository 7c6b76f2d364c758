"""Accounts, system folders, aliases, groups, identities and recipient resolution."""

from __future__ import annotations

import pytest

from postvak.store import accounts, errors, mailboxes
from postvak.store.types import Resolved


def test_add_account_creates_system_folders(store) -> None:
    store.write(accounts.add_domain, "Example.TEST")
    acct = store.write(accounts.add_account, "Alice@Example.test", "h1", quota_bytes=1000)
    assert acct.address == "alice@example.test" and acct.quota_bytes == 1000 and acct.used_bytes == 0
    boxes = {m.name: m for m in store.read(mailboxes.list_mailboxes, acct.id)}
    assert set(boxes) == {"INBOX", "Sent", "Drafts", "Trash", "Spam", "Templates"}
    assert boxes["Sent"].special_use == "\\Sent" and boxes["Spam"].special_use == "\\Junk"
    assert boxes["Trash"].special_use == "\\Trash" and boxes["Drafts"].special_use == "\\Drafts"
    assert boxes["Templates"].special_use is None and all(b.system for b in boxes.values())
    assert store.read(accounts.get_account, "ALICE@example.test").id == acct.id
    assert store.read(accounts.get_account_by_id, acct.id).address == "alice@example.test"


def test_account_errors_and_updates(store) -> None:
    with pytest.raises(errors.NotFound):
        store.write(accounts.add_account, "bob@nowhere.test", "h")
    store.write(accounts.add_domain, "example.test")
    with pytest.raises(errors.AlreadyExists):
        store.write(accounts.add_domain, "EXAMPLE.test")
    store.write(accounts.add_account, "bob@example.test", "h")
    with pytest.raises(errors.AlreadyExists):
        store.write(accounts.add_account, "BOB@example.test", "h")
    store.write(accounts.set_password_hash, "bob@example.test", "h2")
    store.write(accounts.set_quota, "bob@example.test", 5000)
    bob = store.read(accounts.get_account, "bob@example.test")
    assert (bob.password_hash, bob.quota_bytes) == ("h2", 5000)
    store.write(accounts.set_quota, "bob@example.test", None)
    assert store.read(accounts.get_account, "bob@example.test").quota_bytes is None
    assert [a.address for a in store.read(accounts.list_accounts, "example.test")] == ["bob@example.test"]
    assert store.read(accounts.list_accounts, "other.test") == []
    store.write(accounts.remove_account, "bob@example.test")
    assert store.read(accounts.get_account, "bob@example.test") is None
    with pytest.raises(errors.NotFound):
        store.write(accounts.remove_account, "bob@example.test")


def test_domains(store) -> None:
    store.write(accounts.add_domain, "b.test")
    store.write(accounts.add_domain, "a.test")
    assert [d.name for d in store.read(accounts.list_domains)] == ["a.test", "b.test"]
    assert store.read(accounts.is_local_domain, "A.TEST")
    store.write(accounts.add_account, "x@a.test", "h")
    store.write(accounts.remove_domain, "a.test")
    assert not store.read(accounts.is_local_domain, "a.test")
    assert store.read(accounts.get_account, "x@a.test") is None


@pytest.fixture()
def people(store):
    store.write(accounts.add_domain, "example.test")
    alice = store.write(accounts.add_account, "alice@example.test", "h")
    bob = store.write(accounts.add_account, "bob@example.test", "h")
    return store, alice, bob


def test_resolve_accounts_plus_and_case(people) -> None:
    store, alice, bob = people
    assert store.read(accounts.resolve_recipient, "Alice@EXAMPLE.test") == [Resolved(alice.id, "alice@example.test")]
    assert store.read(accounts.resolve_recipient, "alice+news@example.test") == [
        Resolved(alice.id, "alice@example.test", "news")
    ]
    assert store.read(accounts.resolve_recipient, "nobody@example.test") == []
    assert store.read(accounts.resolve_recipient, "alice@elsewhere.test") == []


def test_resolve_aliases_groups_catch_all(people) -> None:
    store, alice, bob = people
    store.write(accounts.add_alias, "info@example.test", ["alice@example.test", "bob@example.test"])
    store.write(accounts.add_alias, "sales@example.test", ["info@example.test", "someone@remote.test"])
    got = store.read(accounts.resolve_recipient, "sales@example.test")
    assert sorted(r.account_id for r in got) == sorted([alice.id, bob.id])
    assert store.read(accounts.resolve_recipient, "info+x@example.test")[0].detail == "x"
    store.write(accounts.add_group, "team@example.test")
    store.write(accounts.add_group_member, "team@example.test", "bob@example.test")
    assert [r.account_id for r in store.read(accounts.resolve_recipient, "team@example.test")] == [bob.id]
    assert store.read(accounts.list_groups)[0].members == ("bob@example.test",)
    assert store.read(accounts.resolve_recipient, "random@example.test") == []
    store.write(accounts.add_alias, "@example.test", ["alice@example.test"])
    assert [r.account_id for r in store.read(accounts.resolve_recipient, "random@example.test")] == [alice.id]
    assert [r.account_id for r in store.read(accounts.resolve_recipient, "bob@example.test")] == [bob.id]
    assert [a.alias for a in store.read(accounts.list_aliases)] == ["@example.test", "info@example.test",
                                                                    "sales@example.test"]
    store.write(accounts.remove_alias, "@example.test")
    assert store.read(accounts.resolve_recipient, "random@example.test") == []
    with pytest.raises(errors.NotFound):
        store.write(accounts.remove_alias, "@example.test")


def test_alias_loop_terminates(people) -> None:
    store, alice, _ = people
    store.write(accounts.add_alias, "a@example.test", ["b@example.test"])
    store.write(accounts.add_alias, "b@example.test", ["a@example.test", "alice@example.test"])
    assert [r.account_id for r in store.read(accounts.resolve_recipient, "a@example.test")] == [alice.id]


def test_sender_allowed(people) -> None:
    store, alice, bob = people
    store.write(accounts.add_identity, "alice@example.test", "Boss@Example.test")
    store.write(accounts.add_alias, "info@example.test", ["alice@example.test"])
    assert [i.address for i in store.read(accounts.list_identities, alice.id)] == ["boss@example.test"]
    assert store.read(accounts.sender_allowed, alice.id, "alice@example.test")
    assert store.read(accounts.sender_allowed, alice.id, "boss@example.test")
    assert store.read(accounts.sender_allowed, alice.id, "INFO@example.test")
    assert not store.read(accounts.sender_allowed, bob.id, "info@example.test")
    assert not store.read(accounts.sender_allowed, bob.id, "alice@example.test")
    with pytest.raises(errors.AlreadyExists):
        store.write(accounts.add_identity, "bob@example.test", "boss@example.test")
