"""Folder rules: system folders, hierarchy, no children under Sent/Spam, delete to Trash."""

from __future__ import annotations

import pytest

from postvak.store import errors, mailboxes, messages
from tests.store.helpers import make_raw


def names(store, account_id: int) -> list[str]:
    return [m.name for m in store.read(mailboxes.list_mailboxes, account_id)]


def test_create_with_parents_and_inbox_case(alice) -> None:
    store, acct, inbox = alice
    box = store.write(mailboxes.create_mailbox, acct.id, "Work/2025/Q1")
    assert box.name == "Work/2025/Q1" and not box.system
    assert {"Work", "Work/2025", "Work/2025/Q1"} <= set(names(store, acct.id))
    assert store.read(mailboxes.get_mailbox, acct.id, "inbox").id == inbox.id
    store.write(mailboxes.create_mailbox, acct.id, "inbox/sub")
    assert "INBOX/sub" in names(store, acct.id)
    with pytest.raises(errors.AlreadyExists):
        store.write(mailboxes.create_mailbox, acct.id, "Work")
    with pytest.raises(errors.NotFound):
        store.read(mailboxes.get_mailbox, acct.id, "Nope")
    assert store.read(mailboxes.get_special, acct.id, "\\Trash").name == "Trash"


def test_no_children_under_sent_or_spam(alice) -> None:
    store, acct, _ = alice
    for name in ("Sent/x", "Spam/y"):
        with pytest.raises(errors.Forbidden):
            store.write(mailboxes.create_mailbox, acct.id, name)
    store.write(mailboxes.create_mailbox, acct.id, "Drafts/ok")
    store.write(mailboxes.create_mailbox, acct.id, "Mine")
    with pytest.raises(errors.Forbidden):
        store.write(mailboxes.rename_mailbox, acct.id, "Mine", "Spam/Mine")


def test_system_folders_cannot_be_renamed_or_deleted(alice) -> None:
    store, acct, _ = alice
    for name in ("INBOX", "Sent", "Drafts", "Trash", "Spam", "Templates"):
        with pytest.raises(errors.Forbidden):
            store.write(mailboxes.rename_mailbox, acct.id, name, name + "2")
        with pytest.raises(errors.Forbidden):
            store.write(mailboxes.delete_mailbox, acct.id, name)


def test_rename_moves_children(alice) -> None:
    store, acct, _ = alice
    store.write(mailboxes.create_mailbox, acct.id, "A/B/C")
    before = store.read(mailboxes.get_mailbox, acct.id, "A/B")
    store.write(mailboxes.rename_mailbox, acct.id, "A", "Z/A")
    after = names(store, acct.id)
    assert "A" not in after and {"Z", "Z/A", "Z/A/B", "Z/A/B/C"} <= set(after)
    moved = store.read(mailboxes.get_mailbox, acct.id, "Z/A/B")
    assert moved.id == before.id and moved.uidvalidity == before.uidvalidity
    with pytest.raises(errors.AlreadyExists):
        store.write(mailboxes.rename_mailbox, acct.id, "Z/A/B", "Z/A/B/C".replace("/B/C", ""))


def test_names_are_bounded_by_the_column(alice) -> None:
    """Over MAX_NAME characters is LimitExceeded on every backend (PostgreSQL would refuse
    the value, SQLite keep it); a rename that would push a child over fails as a whole."""
    store, acct, _ = alice
    longest = "L" * mailboxes.MAX_NAME
    assert store.write(mailboxes.create_mailbox, acct.id, longest).name == longest
    with pytest.raises(errors.LimitExceeded):
        store.write(mailboxes.create_mailbox, acct.id, longest + "x")
    with pytest.raises(errors.LimitExceeded):
        store.write(mailboxes.create_mailbox, acct.id, "é" * (mailboxes.MAX_NAME + 1))
    store.write(mailboxes.create_mailbox, acct.id, "P/" + "c" * (mailboxes.MAX_NAME - 2))
    with pytest.raises(errors.LimitExceeded):
        store.write(mailboxes.rename_mailbox, acct.id, "P", "Parent")
    assert "P/" + "c" * (mailboxes.MAX_NAME - 2) in names(store, acct.id)
    assert "Parent" not in names(store, acct.id)


def test_delete_moves_folder_and_contents_to_trash_then_really_deletes(alice) -> None:
    store, acct, _ = alice
    box = store.write(mailboxes.create_mailbox, acct.id, "Projects/Old")
    store.write(messages.ingest, acct.id, box.id, make_raw(1))
    used = store.read(lambda tx: __import__("postvak.store.accounts", fromlist=["x"]).get_account_by_id(tx, acct.id))
    assert used.used_bytes > 0
    store.write(mailboxes.delete_mailbox, acct.id, "Projects")
    current = names(store, acct.id)
    assert "Projects" not in current and {"Trash/Projects", "Trash/Projects/Old"} <= set(current)
    moved = store.read(mailboxes.get_mailbox, acct.id, "Trash/Projects/Old")
    assert moved.id == box.id and moved.messages == 1
    # A second folder of the same name does not collide in Trash.
    store.write(mailboxes.create_mailbox, acct.id, "Projects")
    store.write(mailboxes.delete_mailbox, acct.id, "Projects")
    assert "Trash/Projects (2)" in names(store, acct.id)
    # Deleting inside Trash deletes for real, with the messages and their quota use.
    store.write(mailboxes.delete_mailbox, acct.id, "Trash/Projects")
    assert not any(n.startswith("Trash/Projects/") or n == "Trash/Projects" for n in names(store, acct.id))
    from postvak.store import accounts

    assert store.read(accounts.get_account_by_id, acct.id).used_bytes == 0


def test_subscribe_and_status(alice) -> None:
    store, acct, inbox = alice
    store.write(mailboxes.set_subscribed, acct.id, "Drafts", False)
    assert not store.read(mailboxes.get_mailbox, acct.id, "Drafts").subscribed
    store.write(messages.ingest, acct.id, inbox.id, make_raw(1), flags=frozenset({"\\Seen"}))
    store.write(messages.ingest, acct.id, inbox.id, make_raw(2))
    st = store.read(mailboxes.status, inbox.id)
    assert (st.messages, st.unseen, st.uidnext) == (2, 1, 3) and st.size > 0
