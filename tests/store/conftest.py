"""Store fixtures; importing helpers installs the MIME stand-in when needed."""

from __future__ import annotations

import pytest

from postvak.store import accounts, mailboxes
from tests.store import helpers  # noqa: F401 - installs the stand-in parser if protocols/mime is not there yet


@pytest.fixture()
def alice(store):
    """(store, account, inbox) with alice@example.test."""
    store.write(accounts.add_domain, "example.test")
    account = store.write(accounts.add_account, "alice@example.test", "hash")
    inbox = store.read(mailboxes.get_mailbox, account.id, "INBOX")
    return store, account, inbox
