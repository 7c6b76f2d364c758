"""Incremental POP3 command parser: bytes in, typed commands out, no I/O.

RFC 1939 3: commands are a case-insensitive keyword and arguments separated
by single spaces, ending in CRLF. RFC 2449 4: keywords and arguments are at
most 40 octets and a command line at most 255 octets including CRLF; both are
settings here. PASS may be longer (RFC 1939 7 allows spaces in passwords) and
AUTH's initial response is exempt from the 40-octet rule (RFC 5034 4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from postvak.protocols.pop3.commands import (
    Auth,
    AuthResponse,
    BadCommand,
    Capa,
    Command,
    Dele,
    List,
    Noop,
    Pass,
    Quit,
    Retr,
    Rset,
    Stat,
    Stls,
    Top,
    Uidl,
    User,
    Utf8,
)


@dataclass(frozen=True)
class Pop3Limits:
    max_line: int = 255  # RFC 2449 4: command line incl. CRLF
    max_arg: int = 40  # RFC 2449 4: each argument
    # Addresses used as login names are often longer than 40 octets; RFC 2449 4
    # lets servers accept more, and refusing a valid address locks users out.
    max_user: int = 255
    max_pass_line: int = 1024  # PASS line incl. CRLF
    max_auth_line: int = 8192  # one SASL continuation line (RFC 5034 4: no 255 limit)
    max_msg_digits: int = 10  # message numbers / line counts fit in 32 bits


class _Bad(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _number(arg: str, limits: Pop3Limits, *, zero_ok: bool = False) -> int:
    # RFC 1939 5: msg is a positive decimal number; we refuse signs and spaces.
    if not arg.isascii() or not arg.isdigit() or len(arg) > limits.max_msg_digits:
        raise _Bad("invalid number")
    value = int(arg)
    if value == 0 and not zero_ok:
        raise _Bad("message numbers start at 1")
    return value


def _count(args: list[str], low: int, high: int) -> None:
    if not low <= len(args) <= high:
        raise _Bad("wrong number of arguments")


def _no_args(make: Callable[[], Command]) -> Callable[[list[str], Pop3Limits], Command]:
    def parse(args: list[str], limits: Pop3Limits) -> Command:
        _count(args, 0, 0)
        return make()

    return parse


def _opt_msg(make: Callable[[int | None], Command]) -> Callable[[list[str], Pop3Limits], Command]:
    def parse(args: list[str], limits: Pop3Limits) -> Command:
        _count(args, 0, 1)
        return make(_number(args[0], limits) if args else None)

    return parse


def _one_msg(make: Callable[[int], Command]) -> Callable[[list[str], Pop3Limits], Command]:
    def parse(args: list[str], limits: Pop3Limits) -> Command:
        _count(args, 1, 1)
        return make(_number(args[0], limits))

    return parse


def _parse_top(args: list[str], limits: Pop3Limits) -> Command:
    _count(args, 2, 2)
    return Top(_number(args[0], limits), _number(args[1], limits, zero_ok=True))


def _parse_user(args: list[str], limits: Pop3Limits) -> Command:
    _count(args, 1, 1)
    if len(args[0].encode()) > limits.max_user:
        raise _Bad("user name too long")
    return User(args[0])


def _parse_auth(args: list[str], limits: Pop3Limits) -> Command:
    _count(args, 0, 2)
    if not args:
        return Auth(None)
    mech = args[0].upper()
    if len(mech) > 20 or not all(c.isalnum() or c in "-_" for c in mech) or not mech.isascii():
        raise _Bad("invalid mechanism name")  # RFC 4422 3.1: 1-20 of A-Z 0-9 - _
    initial = args[1].encode("ascii") if len(args) == 2 else None
    return Auth(mech, initial)


PARSERS: dict[str, Callable[[list[str], Pop3Limits], Command]] = {
    "USER": _parse_user,
    "AUTH": _parse_auth,
    "STAT": _no_args(Stat),
    "LIST": _opt_msg(List),
    "UIDL": _opt_msg(Uidl),
    "RETR": _one_msg(Retr),
    "TOP": _parse_top,
    "DELE": _one_msg(Dele),
    "RSET": _no_args(Rset),
    "NOOP": _no_args(Noop),
    "QUIT": _no_args(Quit),
    "CAPA": _no_args(Capa),
    "STLS": _no_args(Stls),
    "UTF8": _no_args(Utf8),
}
# Arguments the 40-octet rule does not apply to (own limits above).
_LONG_ARGS = {"USER", "AUTH"}


class Pop3Receiver:
    """Feed bytes, get ``Command | BadCommand`` per complete line.

    After answering AUTH with a challenge, call ``expect_auth_response()``: the
    next line comes back as ``AuthResponse`` (raw, for the SASL step's ``feed``).
    Call ``enable_utf8()`` after a successful UTF8 command (RFC 6856 2).
    """

    def __init__(self, limits: Pop3Limits | None = None) -> None:
        self.limits = limits or Pop3Limits()
        self._buf = bytearray()
        self._skipping = False  # inside an over-long line: drop until LF
        self._auth_mode = False
        self.utf8 = False

    def expect_auth_response(self) -> None:
        self._auth_mode = True

    def enable_utf8(self) -> None:
        self.utf8 = True

    def _line_limit(self) -> int:
        if self._auth_mode:
            return self.limits.max_auth_line
        if self._buf[:5].upper() == b"PASS ":
            return self.limits.max_pass_line
        return self.limits.max_line

    def feed(self, data: bytes) -> list[Command | BadCommand]:
        out: list[Command | BadCommand] = []
        self._buf += data
        while True:
            end = self._buf.find(b"\n")
            if self._skipping:
                if end < 0:
                    self._buf.clear()
                    return out
                del self._buf[: end + 1]
                self._skipping = False
                continue
            if end < 0:
                if len(self._buf) > self._line_limit():
                    out.append(self._too_long())
                    self._buf.clear()
                    self._skipping = True
                return out
            line = bytes(self._buf[: end + 1])
            limit = self._line_limit()
            del self._buf[: end + 1]
            if len(line) > limit:
                out.append(self._too_long())
                continue
            out.append(self._line(line))

    def _too_long(self) -> BadCommand:
        self._auth_mode = False  # an over-long SASL answer ends the exchange
        return BadCommand("", "line too long")

    def _line(self, line: bytes) -> Command | BadCommand:
        # Accept a bare LF too: lenient on input, strict on output.
        body = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        if self._auth_mode:
            self._auth_mode = False
            return AuthResponse(body)
        keyword_b, _, rest_b = body.partition(b" ")
        if not keyword_b.isalnum() or len(keyword_b) > 4:
            # RFC 1939 3: keywords are 3 or 4 characters.
            return BadCommand("", "unknown command")
        keyword = keyword_b.decode("ascii").upper()
        if keyword == "PASS":
            return self._pass(rest_b, body)
        parse = PARSERS.get(keyword)
        if parse is None:
            return BadCommand(keyword, "unknown command")
        try:
            rest = rest_b.decode("utf-8" if self.utf8 else "ascii")
        except UnicodeDecodeError:
            return BadCommand(keyword, "8-bit argument without UTF8")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in rest):
            return BadCommand(keyword, "control character in arguments")
        rest = rest.rstrip(" ")  # tolerate trailing spaces some clients send
        args = rest.split(" ") if rest else []
        if any(a == "" for a in args):
            return BadCommand(keyword, "empty argument")
        if keyword not in _LONG_ARGS and any(len(a.encode()) > self.limits.max_arg for a in args):
            return BadCommand(keyword, "argument too long")
        try:
            return parse(args, self.limits)
        except _Bad as bad:
            return BadCommand(keyword, bad.reason)
        except UnicodeEncodeError:
            return BadCommand(keyword, "invalid argument")

    def _pass(self, rest_b: bytes, body: bytes) -> Command | BadCommand:
        # RFC 1939 7: the password is everything after "PASS ", spaces included.
        if not body[4:5] == b" " or not rest_b:
            return BadCommand("PASS", "password required")
        try:
            # Passwords are UTF-8 in practice, UTF8 mode or not (RFC 6856 3 SHOULD).
            password = rest_b.decode("utf-8")
        except UnicodeDecodeError:
            return BadCommand("PASS", "password is not UTF-8")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in password):
            return BadCommand("PASS", "control character in password")
        return Pass(password)
