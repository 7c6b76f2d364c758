"""PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) as step machines.

A step is one of ``Challenge`` (send ``wire()`` to the client, then ``feed`` its
reply), ``Credentials`` (done: verify them), ``Cancelled`` (client sent "*") or
``SaslError`` (malformed exchange). Verification is not done here: the
protocol layer knows no accounts.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field

# Decoded responses longer than this are refused; RFC 4616 2 only requires
# 255 octets per field, so three fields plus NULs fit with ample room.
MAX_RESPONSE = 4096


class SaslError(Exception):
    """A malformed or refused exchange; returned as a step, may also be raised by callers."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SaslError) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(("SaslError", self.reason))


@dataclass(frozen=True)
class Cancelled:
    """The client answered a challenge with "*" (RFC 4954 4, RFC 3501 6.2.2, RFC 5034 4)."""


@dataclass(frozen=True)
class Credentials:
    """The exchange completed; the server must now verify these."""

    authzid: str  # "" when the client asked for no separate authorization identity
    username: str
    password: str = field(repr=False)  # kept out of logs and reprs


@dataclass(frozen=True)
class Challenge:
    """Send ``wire()`` to the client as a continuation, then ``feed`` its answer line."""

    data: bytes
    _next: Callable[[bytes], Step] = field(repr=False, compare=False)
    max_response: int = field(default=MAX_RESPONSE, repr=False, compare=False)

    def wire(self) -> bytes:
        """The challenge in base64, without framing ("+ " / quotes / CRLF are the protocol's)."""
        return base64.b64encode(self.data)

    def feed(self, line: bytes) -> Step:
        """Feed the client's answer line (base64, CRLF optional); returns the next step."""
        decoded = decode_response(line, self.max_response)
        if isinstance(decoded, (SaslError, Cancelled)):
            return decoded
        return self._next(decoded)


Step = Challenge | Credentials | Cancelled | SaslError


def decode_response(line: bytes, max_response: int = MAX_RESPONSE) -> bytes | Cancelled | SaslError:
    """Decode one client response line: "*" cancels, "=" or "" is empty, else strict base64."""
    text = line.rstrip(b"\r\n").strip(b" ")
    if text == b"*":
        return Cancelled()
    if text in (b"", b"="):
        # RFC 4954 4 / RFC 5034 4: "=" stands for an empty initial response.
        return b""
    if len(text) > (max_response * 4) // 3 + 4:
        return SaslError("response too long")
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return SaslError("invalid base64")
    if len(decoded) > max_response:
        return SaslError("response too long")
    return decoded


def _utf8(raw: bytes, what: str) -> str | SaslError:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return SaslError(f"{what} is not UTF-8")


def _plain_message(message: bytes) -> Step:
    # RFC 4616 2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
    parts = message.split(b"\x00")
    if len(parts) != 3:
        return SaslError("PLAIN response needs exactly two NUL separators")
    authzid_b, authcid_b, passwd_b = parts
    if not authcid_b or not passwd_b:
        return SaslError("empty username or password")
    values: list[str] = []
    for raw, what in ((authzid_b, "authzid"), (authcid_b, "username"), (passwd_b, "password")):
        text = _utf8(raw, what)
        if isinstance(text, SaslError):
            return text
        values.append(text)
    return Credentials(authzid=values[0], username=values[1], password=values[2])


def _start_plain(initial: bytes | None, max_response: int) -> Step:
    if initial is None:
        # RFC 4616 2: with no initial response the server sends an empty challenge.
        return Challenge(b"", _plain_message, max_response)
    decoded = decode_response(initial, max_response)
    if isinstance(decoded, (SaslError, Cancelled)):
        return decoded
    if decoded == b"":
        # "=": an empty initial response is no PLAIN message; ask for it.
        return Challenge(b"", _plain_message, max_response)
    return _plain_message(decoded)


def _login_password(username: str, max_response: int) -> Challenge:
    def got_password(raw: bytes) -> Step:
        password = _utf8(raw, "password")
        if isinstance(password, SaslError):
            return password
        if not password:
            return SaslError("empty password")
        return Credentials(authzid="", username=username, password=password)

    return Challenge(b"Password:", got_password, max_response)


def _login_username(raw: bytes, max_response: int) -> Step:
    username = _utf8(raw, "username")
    if isinstance(username, SaslError):
        return username
    if not username or "\x00" in username:
        return SaslError("empty or invalid username")
    return _login_password(username, max_response)


def _start_login(initial: bytes | None, max_response: int) -> Step:
    # draft-murchison-sasl-login 2: "Username:" then "Password:"; some clients
    # send the username as an initial response (AUTH LOGIN dXNlcg==).
    if initial is not None:
        decoded = decode_response(initial, max_response)
        if isinstance(decoded, (SaslError, Cancelled)):
            return decoded
        if decoded:
            return _login_username(decoded, max_response)
    return Challenge(b"Username:", lambda raw: _login_username(raw, max_response), max_response)


_STARTERS: dict[str, Callable[[bytes | None, int], Step]] = {
    "PLAIN": _start_plain,
    "LOGIN": _start_login,
}
MECHANISMS: tuple[str, ...] = tuple(_STARTERS)


def start(mechanism: str, initial_response: bytes | None = None, *, max_response: int = MAX_RESPONSE) -> Step:
    """Begin an exchange; ``initial_response`` is the base64 text as received ("=" = empty)."""
    starter = _STARTERS.get(mechanism.upper())
    if starter is None:
        return SaslError(f"unsupported mechanism {mechanism[:40]!r}")
    return starter(initial_response, max_response)
