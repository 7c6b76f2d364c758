"""The mail store: one SQLAlchemy database (SQLite or PostgreSQL) plus message blobs.

    store = open_store("sqlite:///var/mail.db")
    store.migrate()
    account = store.write(accounts.add_account, "alice@example.org", hash)

See docs/CONTRACTS.md for the seams; modules: accounts, mailboxes, messages, search,
queue, state, sieve, acl, recent (functions taking a transaction first), types, errors;
`stats(tx)` sums up the store for `postvak status`.
"""

from postvak.store.core import Store, Tx, open_store
from postvak.store.sizes import stats

__all__ = ["Store", "Tx", "open_store", "stats"]
