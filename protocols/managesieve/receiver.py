"""Incremental ManageSieve parser (RFC 5804 4): bytes in, typed commands out.

Arguments are quoted strings (at most 1024 octets, RFC 5804 4), literals
``{n+}`` (RFC 5804 4 literal-c2s, sent without waiting) or numbers. A client
``{n}`` is accepted the same way (no continuation exists in ManageSieve, and
waiting would deadlock a confused client). Literal sizes are checked against
a limit that is stricter before login; an oversized literal is skipped
without buffering and answered with QUOTA/MAXSIZE.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from postvak.protocols.managesieve.commands import (
    Authenticate,
    BadCommand,
    Capability,
    CheckScript,
    Command,
    DeleteScript,
    GetScript,
    HaveSpace,
    ListScripts,
    Logout,
    Noop,
    PutScript,
    RenameScript,
    SaslResponse,
    SetActive,
    StartTls,
    Unauthenticate,
)

MAX_QUOTED = 1024  # RFC 5804 4: quoted strings are limited to 1024 octets
MAX_NUMBER = 4294967295  # RFC 5804 4: number fits 32 bits


@dataclass(frozen=True)
class SieveLimits:
    max_line: int = 8192  # non-literal part of one command
    max_literal: int = 1024 * 1024  # script size after login (matches sieve.max_script_size)
    max_literal_unauth: int = 16 * 1024  # before login only SASL data travels
    max_name: int = 512  # script name octets


class _Fail(Exception):
    def __init__(self, reason: str, keyword: str = "", code: str | None = None) -> None:
        self.reason, self.keyword, self.code = reason, keyword, code


class _More(Exception):
    def __init__(self, need: int) -> None:
        self.need = need


class _SkipLiteral(Exception):
    def __init__(self, start: int, size: int, keyword: str) -> None:
        self.start, self.size, self.keyword = start, size, keyword


class _Again:
    """Marker: state changed (skipping a literal), run the feed loop again."""


_AGAIN = _Again()

Token = tuple[str, bytes]  # ("atom" | "string", value)


def _scan(buf: bytes, limits: SieveLimits, max_literal: int) -> tuple[list[Token], int]:
    """Tokens of the first complete command in ``buf`` and the bytes it used."""
    tokens: list[Token] = []
    pos, size = 0, len(buf)
    line_start = 0  # bytes since the last literal count against max_line
    while True:
        if pos - line_start > limits.max_line:
            raise _Fail("line too long")
        if pos >= size:
            raise _More(size + 1)
        ch = buf[pos]
        if ch == 0x0A:
            return tokens, pos + 1  # bare LF tolerated on input
        if ch == 0x0D:
            if pos + 1 >= size:
                raise _More(pos + 2)
            if buf[pos + 1] != 0x0A:
                raise _Fail("bare CR")
            return tokens, pos + 2
        if tokens:
            if ch != 0x20:
                raise _Fail("expected space")
            pos += 1
            if pos >= size:
                raise _More(pos + 1)
            ch = buf[pos]
        keyword = tokens[0][1].decode("ascii", "replace").upper() if tokens else ""
        if ch == 0x22:  # quoted string
            out = bytearray()
            i = pos + 1
            while True:
                if i >= size:
                    if i - pos > MAX_QUOTED + 2:
                        raise _Fail("quoted string too long", keyword)
                    raise _More(i + 1)
                c = buf[i]
                if c == 0x22:
                    break
                if c == 0x5C:  # QUOTED-SPECIALS: only \" and \\ may be escaped
                    if i + 1 >= size:
                        raise _More(i + 2)
                    if buf[i + 1] not in (0x22, 0x5C):
                        raise _Fail("bad escape in quoted string", keyword)
                    out.append(buf[i + 1])
                    i += 2
                    continue
                if c in (0x0D, 0x0A, 0x00):
                    raise _Fail("CR, LF or NUL in quoted string", keyword)
                out.append(c)
                i += 1
            if len(out) > MAX_QUOTED:
                raise _Fail("quoted string too long", keyword)
            tokens.append(("string", bytes(out)))
            pos = i + 1
        elif ch == 0x7B:  # literal {n+} CRLF or {n} CRLF
            close = buf.find(b"}", pos, pos + 14)
            if close < 0:
                if size - pos < 14:
                    raise _More(size + 1)
                raise _Fail("bad literal", keyword)
            digits = buf[pos + 1 : close]
            if digits.endswith(b"+"):
                digits = digits[:-1]
            if not digits.isdigit() or int(digits) > MAX_NUMBER:
                raise _Fail("bad literal size", keyword)
            if size < close + 3:
                raise _More(close + 3)
            if buf[close + 1 : close + 3] != b"\r\n":
                raise _Fail("literal size must end the line", keyword)
            length, start = int(digits), close + 3
            if length > max_literal:
                raise _SkipLiteral(start, length, keyword)
            if size < start + length:
                raise _More(start + length)
            tokens.append(("string", buf[start : start + length]))
            pos = line_start = start + length
        else:  # atom or number: up to the next space or line end
            end = pos
            while end < size and buf[end] not in (0x20, 0x0D, 0x0A):
                end += 1
            if end >= size:
                if end - line_start > limits.max_line:
                    raise _Fail("line too long", keyword)
                raise _More(size + 1)
            atom = buf[pos:end]
            if any(c < 0x21 or c > 0x7E or c in b'"{}()' for c in atom):
                raise _Fail("bad atom", keyword)
            tokens.append(("atom", atom))
            pos = end


class _Args:
    def __init__(self, keyword: str, tokens: list[Token], limits: SieveLimits) -> None:
        self.keyword, self.tokens, self.limits = keyword, tokens, limits

    def count(self, low: int, high: int) -> None:
        if not low <= len(self.tokens) <= high:
            raise _Fail("wrong number of arguments", self.keyword)

    def string(self, i: int) -> bytes:
        kind, value = self.tokens[i]
        if kind != "string":
            raise _Fail("expected a string", self.keyword)
        return value

    def text(self, i: int) -> str:
        try:
            return self.string(i).decode("utf-8")
        except UnicodeDecodeError:
            raise _Fail("string is not UTF-8", self.keyword) from None

    def name(self, i: int, empty_ok: bool = False) -> str:
        # RFC 5804 1.6: script names are Net-Unicode without controls, 2028, 2029
        raw = self.string(i)
        if len(raw) > self.limits.max_name:
            raise _Fail("script name too long", self.keyword)
        name = self.text(i)
        if not name and not empty_ok:
            raise _Fail("empty script name", self.keyword)
        if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in name):
            raise _Fail("invalid script name", self.keyword)
        return name

    def number(self, i: int) -> int:
        kind, value = self.tokens[i]
        if kind != "atom" or not value.isdigit() or len(value) > 10 or int(value) > MAX_NUMBER:
            raise _Fail("expected a number", self.keyword)
        return int(value)


def _authenticate(a: _Args) -> Command:
    a.count(1, 2)
    mech = a.text(0).upper()
    if not 1 <= len(mech) <= 20 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in mech):
        raise _Fail("invalid mechanism name", a.keyword)  # RFC 4422 3.1
    return Authenticate(mech, a.string(1) if len(a.tokens) == 2 else None)


def _none(make: Callable[[], Command]) -> Callable[[_Args], Command]:
    def parse(a: _Args) -> Command:
        a.count(0, 0)
        return make()

    return parse


def _one_name(make: Callable[[str], Command], empty_ok: bool = False) -> Callable[[_Args], Command]:
    def parse(a: _Args) -> Command:
        a.count(1, 1)
        return make(a.name(0, empty_ok))

    return parse


def _havespace(a: _Args) -> Command:
    a.count(2, 2)
    return HaveSpace(a.name(0), a.number(1))


def _putscript(a: _Args) -> Command:
    a.count(2, 2)
    return PutScript(a.name(0), a.string(1))


def _renamescript(a: _Args) -> Command:
    a.count(2, 2)
    return RenameScript(a.name(0), a.name(1))


def _checkscript(a: _Args) -> Command:
    a.count(1, 1)
    return CheckScript(a.string(0))


def _noop(a: _Args) -> Command:
    a.count(0, 1)
    return Noop(a.text(0) if a.tokens else None)


PARSERS: dict[str, Callable[[_Args], Command]] = {
    "AUTHENTICATE": _authenticate,
    "STARTTLS": _none(StartTls),
    "LOGOUT": _none(Logout),
    "CAPABILITY": _none(Capability),
    "HAVESPACE": _havespace,
    "PUTSCRIPT": _putscript,
    "LISTSCRIPTS": _none(ListScripts),
    "SETACTIVE": _one_name(SetActive, empty_ok=True),
    "GETSCRIPT": _one_name(GetScript),
    "DELETESCRIPT": _one_name(DeleteScript),
    "RENAMESCRIPT": _renamescript,
    "CHECKSCRIPT": _checkscript,
    "NOOP": _noop,
    "UNAUTHENTICATE": _none(Unauthenticate),
}
_SCRIPT_COMMANDS = {"PUTSCRIPT", "CHECKSCRIPT"}
# A line that ends announcing a literal: its octets follow whatever happens to the command.
_LITERAL_AT_END = re.compile(rb"\{([0-9]{1,10})\+?\}\r?\Z")
_TAIL = 16  # bytes of a skipped line kept to spot that announcement


class SieveReceiver:
    """Feed bytes, get ``Command | BadCommand`` per complete command.

    Set ``authenticated`` after login (larger literals allowed); call
    ``expect_sasl_response()`` after sending a challenge: the next string comes
    back as ``SaslResponse``.
    """

    def __init__(self, limits: SieveLimits | None = None) -> None:
        self.limits = limits or SieveLimits()
        self.authenticated = False
        self._buf = bytearray()
        self._need = 0  # don't rescan until the buffer holds this many bytes
        self._skip_bytes = 0  # oversized literal still arriving
        self._skip_line = False  # then drop the rest of that line
        self._skip_reply: BadCommand | None = None
        self._tail = b""  # the end of the line being skipped, so far
        self._sasl = False

    def expect_sasl_response(self) -> None:
        self._sasl = True

    def feed(self, data: bytes) -> list[Command | BadCommand]:
        out: list[Command | BadCommand] = []
        self._buf += data
        while True:
            if self._skip_bytes:
                dropped = min(self._skip_bytes, len(self._buf))
                del self._buf[:dropped]
                self._skip_bytes -= dropped
                if self._skip_bytes:
                    return out
            if self._skip_line:
                lf = self._buf.find(b"\n")
                if lf < 0:
                    self._tail = (self._tail + bytes(self._buf[-_TAIL:]))[-_TAIL:]
                    self._buf.clear()
                    return out
                tail = (self._tail + bytes(self._buf[max(0, lf - _TAIL) : lf]))[-_TAIL:]
                self._tail = b""
                del self._buf[: lf + 1]
                announced = _LITERAL_AT_END.search(tail)
                if announced is not None:
                    # The refused command's literal octets come anyway (RFC 5804 4: {n+} is sent
                    # without waiting): drop them and the rest of their line, not run them.
                    self._skip_bytes = int(announced.group(1))
                    continue
                self._skip_line = False
                if self._skip_reply is not None:
                    out.append(self._skip_reply)
                    self._skip_reply = None
                continue
            if not self._buf or len(self._buf) < self._need:
                return out
            item = self._one()
            if item is None:
                return out
            if not isinstance(item, _Again):
                out.append(item)

    def _one(self) -> Command | BadCommand | _Again | None:
        max_literal = self.limits.max_literal if self.authenticated else self.limits.max_literal_unauth
        try:
            tokens, used = _scan(bytes(self._buf), self.limits, max_literal)
        except _More as more:
            self._need = more.need
            return None
        except _SkipLiteral as skip:
            self._need = 0
            del self._buf[: skip.start]
            self._skip_bytes, self._skip_line = skip.size, True
            self._sasl = False
            code = "QUOTA/MAXSIZE" if skip.keyword in _SCRIPT_COMMANDS and self.authenticated else None
            self._skip_reply = BadCommand(skip.keyword, "literal too large", code)
            return _AGAIN
        except _Fail as fail:
            self._need = 0
            self._skip_line = True
            self._sasl = False
            return BadCommand(fail.keyword, fail.reason, fail.code)
        self._need = 0
        del self._buf[:used]
        return self._command(tokens)

    def _command(self, tokens: list[Token]) -> Command | BadCommand:
        if self._sasl:
            self._sasl = False
            if len(tokens) != 1:
                return BadCommand("", "expected one SASL string")
            return SaslResponse(tokens[0][1])  # quoted, literal, or (leniently) bare base64
        if not tokens:
            return BadCommand("", "empty command")
        kind, name = tokens[0]
        keyword = name.decode("ascii", "replace").upper()
        if kind != "atom" or keyword not in PARSERS:
            return BadCommand(keyword if kind == "atom" else "", "unknown command")
        try:
            return PARSERS[keyword](_Args(keyword, tokens[1:], self.limits))
        except _Fail as fail:
            return BadCommand(keyword, fail.reason, fail.code)
