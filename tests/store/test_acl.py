"""RFC 4314 ACLs: grants, +/- modifiers, obsolete c/d, owner rights, shared listing,
and that revoking takes effect at once (a change is published to the grantee)."""

from __future__ import annotations

import pytest

from postvak.store import accounts, acl, mailboxes
from postvak.store.errors import NotFound, StoreError


@pytest.fixture()
def pair(alice):
    store, owner, inbox = alice
    bob = store.write(accounts.add_account, "bob@example.test", "hash")
    carol = store.write(accounts.add_account, "carol@example.test", "hash")
    return store, owner, inbox, bob, carol


def test_set_list_and_my_rights(pair) -> None:
    store, owner, inbox, bob, carol = pair
    assert store.write(acl.set_rights, inbox.id, bob.id, "rl") == "lr"
    assert store.write(acl.set_rights, inbox.id, carol.id, "lrswipkxtea") == "lrswipkxtea"
    entries = store.read(acl.list_rights, inbox.id)
    assert [(e.grantee, e.rights) for e in entries] == [("bob@example.test", "lr"), ("carol@example.test", acl.RIGHTS)]
    assert store.read(acl.my_rights, owner.id, inbox.id) == acl.RIGHTS  # the owner holds every right
    assert store.read(acl.my_rights, bob.id, inbox.id) == "lr"
    stranger = store.write(accounts.add_account, "dave@example.test", "hash")
    assert store.read(acl.my_rights, stranger.id, inbox.id) == ""


def test_modifiers_obsolete_rights_and_errors(pair) -> None:
    store, owner, inbox, bob, _carol = pair
    assert store.write(acl.set_rights, inbox.id, bob.id, "lr") == "lr"
    assert store.write(acl.set_rights, inbox.id, bob.id, "+sw") == "lrsw"  # RFC 4314 3.1: "+" adds
    assert store.write(acl.set_rights, inbox.id, bob.id, "-rw") == "ls"  # "-" removes
    assert store.write(acl.set_rights, inbox.id, bob.id, "lcd") == "lkxte"  # 2.1.1: c -> kx, d -> xte
    with pytest.raises(StoreError):
        store.write(acl.set_rights, inbox.id, bob.id, "lz")
    with pytest.raises(StoreError):
        store.write(acl.set_rights, inbox.id, owner.id, "l")
    with pytest.raises(NotFound):
        store.write(acl.set_rights, 999999, bob.id, "l")
    with pytest.raises(NotFound):
        store.write(acl.set_rights, inbox.id, 999999, "l")
    assert store.read(acl.my_rights, bob.id, inbox.id) == "lkxte"  # failed calls changed nothing
    assert store.write(acl.set_rights, inbox.id, bob.id, "-lkxte") == ""  # nothing left: entry gone
    assert store.read(acl.list_rights, inbox.id) == []


def test_list_shared_needs_lookup_right(pair) -> None:
    store, owner, inbox, bob, carol = pair
    project = store.write(mailboxes.create_mailbox, owner.id, "Projects/Roof")
    other = store.write(mailboxes.create_mailbox, carol.id, "Family")
    store.write(acl.set_rights, project.id, bob.id, "lrs")
    store.write(acl.set_rights, inbox.id, bob.id, "r")  # readable but not visible in LIST
    store.write(acl.set_rights, other.id, bob.id, "l")
    shared = store.read(acl.list_shared, bob.id)
    assert [(s.owner, s.mailbox.name, s.rights) for s in shared] == [
        ("alice@example.test", "Projects/Roof", "lrs"), ("carol@example.test", "Family", "l"),
    ]
    assert store.read(acl.list_shared, owner.id) == []


def test_revoke_publishes_to_grantee_and_cascades(pair) -> None:
    store, owner, inbox, bob, _carol = pair
    folder = store.write(mailboxes.create_mailbox, owner.id, "Shared")
    store.write(acl.set_rights, folder.id, bob.id, "lr")
    seen: list = []
    unsubscribe = store.changes.subscribe(bob.id, seen.extend)
    try:
        assert store.write(acl.delete_rights, folder.id, bob.id) is True
        assert store.write(acl.delete_rights, folder.id, bob.id) is False
    finally:
        unsubscribe()
    assert [(c.kind, c.account_id, c.mailbox_id) for c in seen] == [("mailbox", bob.id, folder.id)]
    assert store.read(acl.my_rights, bob.id, folder.id) == ""
    store.write(acl.set_rights, folder.id, bob.id, "l")
    store.write(accounts.remove_account, "bob@example.test")  # grants go with the account
    assert store.read(acl.list_rights, folder.id) == []
