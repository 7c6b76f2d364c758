"""Store errors: raised by store functions, each with a message a protocol can show.

The protocol layers map these once (e.g. IMAP: NotFound -> NO [NONEXISTENT],
AlreadyExists -> NO [ALREADYEXISTS], QuotaExceeded -> NO [OVERQUOTA],
Forbidden -> NO [CANNOT], Conflict -> NO [INUSE], LimitExceeded -> NO [LIMIT]).
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(StoreError):
    """The named domain, account, mailbox, message or entry does not exist."""


class AlreadyExists(StoreError):
    """Creating something whose name is taken."""


class QuotaExceeded(StoreError):
    """The account's quota would be exceeded by this message."""


class Forbidden(StoreError):
    """A rule forbids it (system folders, no children under Sent or Spam)."""


class Conflict(StoreError):
    """The operation conflicts with the current state (e.g. deleting the active script)."""


class LimitExceeded(StoreError):
    """Over one of the store's own limits (a mailbox name longer than its column holds)."""
