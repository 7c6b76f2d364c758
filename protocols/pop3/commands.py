"""Typed POP3 commands (RFC 1939, RFC 2449, RFC 2595, RFC 5034, RFC 6856).

The receiver turns lines into these frozen dataclasses; handlers never see raw
tokens. Message numbers are 1-based as on the wire (RFC 1939 5: "msg").
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class User:
    name: str


@dataclass(frozen=True)
class Pass:
    password: str = field(repr=False)  # never in logs


@dataclass(frozen=True)
class Auth:
    """AUTH with no mechanism lists mechanisms (RFC 5034 4 allows servers to do so)."""

    mechanism: str | None
    initial_response: bytes | None = field(default=None, repr=False)  # base64 text, "=" = empty


@dataclass(frozen=True)
class AuthResponse:
    """One client line during a SASL exchange (receiver in auth mode)."""

    line: bytes = field(repr=False)


@dataclass(frozen=True)
class Stat:
    pass


@dataclass(frozen=True)
class List:
    msg: int | None = None


@dataclass(frozen=True)
class Uidl:
    msg: int | None = None


@dataclass(frozen=True)
class Retr:
    msg: int


@dataclass(frozen=True)
class Top:
    msg: int
    lines: int


@dataclass(frozen=True)
class Dele:
    msg: int


@dataclass(frozen=True)
class Rset:
    pass


@dataclass(frozen=True)
class Noop:
    pass


@dataclass(frozen=True)
class Quit:
    pass


@dataclass(frozen=True)
class Capa:
    pass


@dataclass(frozen=True)
class Stls:
    pass


@dataclass(frozen=True)
class Utf8:
    pass


@dataclass(frozen=True)
class BadCommand:
    """A line the server answers with -ERR; ``keyword`` is "" when unreadable."""

    keyword: str
    reason: str


Command = (
    User | Pass | Auth | AuthResponse | Stat | List | Uidl | Retr | Top | Dele
    | Rset | Noop | Quit | Capa | Stls | Utf8
)
