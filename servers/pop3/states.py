"""Session states as a tagged union (RFC 1939 3): AUTHORIZATION, TRANSACTION, UPDATE.
The maildrop exists only inside Transaction, never as an attribute that may be None."""

from __future__ import annotations

from dataclasses import dataclass

from postvak.protocols.sasl import Challenge
from postvak.servers.pop3.maildrop import Maildrop


@dataclass(frozen=True)
class Authorization:
    user: str | None = None  # name from USER, waiting for PASS
    sasl: Challenge | None = None  # AUTH exchange waiting for the client's next line


@dataclass(frozen=True)
class Transaction:
    maildrop: Maildrop
    address: str


@dataclass(frozen=True)
class Update:
    pass


State = Authorization | Transaction | Update
