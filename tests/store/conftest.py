"""Store fixtures."""

from __future__ import annotations

import pytest

from postvak.store import accounts, mailboxes


@pytest.fixture()
def alice(store):
    """(store, account, inbox) with alice@example.test."""
    store.write(accounts.add_domain, "example.test")
    account = store.write(accounts.add_account, "alice@example.test", "hash")
    inbox = store.read(mailboxes.get_mailbox, account.id, "INBOX")
    return store, account, inbox
