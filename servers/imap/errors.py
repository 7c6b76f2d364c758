"""Errors a handler raises anywhere; the session's dispatcher maps them once (STYLE.md habit 5)."""

from __future__ import annotations

from postvak.protocols.imap import codes
from postvak.protocols.imap.codes import Code
from postvak.store import errors as store_errors

# A handler returns this when it already wrote its own tagged reply (STARTTLS).
ANSWERED = "\0answered"


class ImapError(Exception):
    status = "NO"

    def __init__(self, text: str, code: Code | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.code = code


class No(ImapError):
    """``tag NO [code] text``: the command was understood but failed."""


class Bad(ImapError):
    """``tag BAD [code] text``: the command was not valid here."""

    status = "BAD"


class Bye(Exception):
    """Close the connection after ``* BYE text``."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def from_store(exc: store_errors.StoreError, *, trycreate: bool = False) -> No:
    """RFC 5530 codes for the store's errors (see store/errors.py)."""
    if isinstance(exc, store_errors.NotFound):
        # RFC 9051 7.1: TRYCREATE where creating the target would let the command succeed.
        return No(exc.message, codes.TRYCREATE if trycreate else codes.NONEXISTENT)
    if isinstance(exc, store_errors.AlreadyExists):
        return No(exc.message, codes.ALREADYEXISTS)
    if isinstance(exc, store_errors.QuotaExceeded):
        return No(exc.message, codes.OVERQUOTA)
    if isinstance(exc, store_errors.Forbidden):
        return No(exc.message, codes.CANNOT)
    if isinstance(exc, store_errors.Conflict):
        return No(exc.message, codes.INUSE)
    if isinstance(exc, store_errors.LimitExceeded):
        return No(exc.message, codes.LIMIT)
    return No(exc.message, codes.CANNOT)
