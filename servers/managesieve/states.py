"""Session state as a tagged union (STYLE.md habit 3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NotAuthenticated:
    sasl: Any = None  # a protocols.sasl Challenge while AUTHENTICATE waits for the client


@dataclass(frozen=True)
class Authenticated:
    account: Any  # store Account (id, address)


State = NotAuthenticated | Authenticated
