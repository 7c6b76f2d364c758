"""Reading the tokens of one received command (RFC 3501 9 / RFC 9051 9 formal syntax).

``Cursor`` walks the joined text of a command; where a literal was announced
it hands out the literal's octets kept by the receiver. It enforces the
nesting and argument-count limits as it goes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TypeVar

from postvak.protocols.imap.errors import LimitExceeded, ParseError
from postvak.protocols.imap.limits import Limits
from postvak.protocols.imap.mutf7 import decode_name
from postvak.protocols.imap.seqset import SequenceSet

T = TypeVar("T")

# RFC 3501 9: atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
_ATOM = re.compile(rb"[^\x00-\x20\x7f-\xff(){%*\"\\\]]+")
_ASTRING = re.compile(rb"[^\x00-\x20\x7f-\xff(){%*\"\\]+")  # ATOM-CHAR / resp-specials
_LIST_CHARS = re.compile(rb"[^\x00-\x20\x7f-\xff(){\"\\]+")  # ATOM-CHAR / list-wildcards / resp-specials
_NUMBER = re.compile(rb"[0-9]+")
_SEQSET = re.compile(rb"[0-9*:,$]+")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DATE = re.compile(rb"([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})")
_DATE_TIME = re.compile(rb'"([ 0-9][0-9])-([A-Za-z]{3})-([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})"')
MAX_NUMBER64 = (1 << 63) - 1


@dataclass(frozen=True)
class Lit:
    """A received literal: ``end`` is the text offset just past its "{n}" announcement."""

    end: int
    data: bytes
    binary: bool = False  # literal8 "~{n}" (RFC 3516 4.4)


class Cursor:
    def __init__(self, text: bytes, literals: dict[int, Lit], limits: Limits, utf8: bool = False) -> None:
        self.text = text
        self.literals = literals
        self.limits = limits
        self.utf8 = utf8
        self.pos = 0
        self.depth = 0
        self.count = 0

    # --- basics -------------------------------------------------------------------
    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, n: int = 1) -> bytes:
        return self.text[self.pos : self.pos + n]

    def fail(self, what: str) -> ParseError:
        near = self.text[self.pos : self.pos + 20].decode("ascii", "replace")
        return ParseError(f"expected {what} at {near!r}" if near else f"expected {what} at end of command")

    def expect(self, token: bytes) -> None:
        if self.text[self.pos : self.pos + len(token)].upper() != token.upper():
            raise self.fail(repr(token.decode()))
        self.pos += len(token)

    def try_expect(self, token: bytes) -> bool:
        if self.text[self.pos : self.pos + len(token)].upper() == token.upper():
            self.pos += len(token)
            return True
        return False

    def sp(self) -> None:
        self.expect(b" ")

    def end(self) -> None:
        if not self.at_end():
            raise self.fail("end of command")

    def counted(self) -> None:
        self.count += 1
        if self.count > self.limits.max_command_args:
            raise LimitExceeded("too many arguments")

    def _match(self, pattern: re.Pattern[bytes], what: str) -> bytes:
        m = pattern.match(self.text, self.pos)
        if m is None:
            raise self.fail(what)
        self.pos = m.end()
        return m.group()

    # --- tokens -------------------------------------------------------------------
    def atom(self) -> str:
        return self._match(_ATOM, "atom").decode("ascii")

    def word(self) -> str:
        """An atom, upper-cased: command names, keywords, options."""
        return self.atom().upper()

    def number(self) -> int:
        value = int(self._match(_NUMBER, "number"))
        if value > 0xFFFFFFFF:
            raise ParseError("number too large")
        return value

    def nz_number(self) -> int:
        value = self.number()
        if value == 0:
            raise ParseError("expected a non-zero number")
        return value

    def number64(self) -> int:
        value = int(self._match(_NUMBER, "number"))
        if value > MAX_NUMBER64:
            raise ParseError("number too large")
        return value

    def seqset(self) -> SequenceSet:
        return SequenceSet.parse(self._match(_SEQSET, "sequence set"))

    def at_literal(self) -> bool:
        return self.pos in self.literals

    def literal(self) -> Lit:
        lit = self.literals.get(self.pos)
        if lit is None:
            raise self.fail("literal")
        self.pos = lit.end
        return lit

    def quoted(self) -> bytes:
        text, i = self.text, self.pos
        if text[i : i + 1] != b'"':
            raise self.fail("quoted string")
        out = bytearray()
        i += 1
        while True:
            j = i
            while j < len(text) and text[j] not in b'"\\\r\n\x00':
                j += 1
            out += text[i:j]
            if j >= len(text) or text[j] in b"\r\n\x00":
                self.pos = j
                raise self.fail("closing quote")
            if text[j] == 0x22:
                self.pos = j + 1
                break
            if j + 1 >= len(text) or text[j + 1] not in b'"\\':
                self.pos = j
                raise self.fail('"\\" followed by a quoted-special')
            out.append(text[j + 1])
            i = j + 2
        if any(b >= 0x80 for b in out):
            try:  # RFC 9051 9 / RFC 6855 3: 8-bit quoted text must be UTF-8
                bytes(out).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ParseError("8-bit quoted string is not UTF-8") from exc
        return bytes(out)

    def string(self) -> bytes:
        if self.peek() == b'"':
            return self.quoted()
        lit = self.literal()
        if lit.binary:
            raise ParseError("literal8 is only allowed for APPEND message data")
        return lit.data

    def astring(self) -> bytes:
        c = self.peek()
        if c == b'"' or self.at_literal():
            return self.string()
        return self._match(_ASTRING, "astring")

    def nstring(self) -> bytes | None:
        if self.peek(3).upper() == b"NIL" and not _ASTRING.match(self.text, self.pos + 3):
            self.pos += 3
            return None
        return self.string()

    def text_str(self, data: bytes, what: str = "string") -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(f"{what} is not UTF-8") from exc

    def astr(self) -> str:
        return self.text_str(self.astring())

    def mailbox(self) -> str:
        return decode_name(self.astring(), self.utf8)

    def list_mailbox(self) -> str:
        """RFC 3501 9 list-mailbox: a string or 1*list-char (wildcards allowed)."""
        if self.peek() == b'"' or self.at_literal():
            raw = self.string()
        else:
            raw = self._match(_LIST_CHARS, "mailbox pattern")
        if not raw:
            return ""
        return decode_name(raw, self.utf8)

    def flag(self) -> str:
        if self.peek() == b"\\":
            self.pos += 1
            if self.peek() == b"*":  # flag-perm "\*" is only for PERMANENTFLAGS; refused by callers
                self.pos += 1
                return "\\*"
            return "\\" + self.atom()
        return self.atom()

    def paren_list(self, item: Callable[[], T], allow_empty: bool = True) -> list[T]:
        """ "(" [item *(SP item)] ")" with depth and count limits."""
        self.expect(b"(")
        self.enter()
        items: list[T] = []
        if self.peek() != b")":
            while True:
                self.counted()
                items.append(item())
                if not self.try_expect(b" "):
                    break
        self.expect(b")")
        self.depth -= 1
        if not items and not allow_empty:
            raise ParseError("empty list")
        return items

    def enter(self) -> None:
        self.depth += 1
        if self.depth > self.limits.paren_depth:
            raise LimitExceeded("parentheses nested too deep")

    def flag_list(self) -> tuple[str, ...]:
        flags = self.paren_list(self.flag)
        if any(f == "\\*" or f.lower() == "\\recent" for f in flags):
            raise ParseError("\\* and \\Recent cannot be set")
        return tuple(flags)

    def date(self) -> datetime:
        """RFC 3501 9 date: date-text or DQUOTE date-text DQUOTE; a calendar day (naive)."""
        quoted = self.try_expect(b'"')
        m = _DATE.match(self.text, self.pos)
        if m is None:
            raise self.fail("date")
        self.pos = m.end()
        if quoted:
            self.expect(b'"')
        return _make_date(m.group(1), m.group(2), m.group(3))

    def date_time(self) -> datetime:
        """RFC 3501 9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz", timezone-aware."""
        m = _DATE_TIME.match(self.text, self.pos)
        if m is None:
            raise self.fail("date-time")
        self.pos = m.end()
        day = _make_date(m.group(1).strip(), m.group(2), m.group(3))
        hh, mm, ss, zh, zm = (int(m.group(k)) for k in (4, 5, 6, 8, 9))
        if hh > 23 or mm > 59 or ss > 60 or zm > 59:
            raise ParseError("bad time in date-time")
        offset = timedelta(hours=zh, minutes=zm) * (-1 if m.group(7) == b"-" else 1)
        return datetime(day.year, day.month, day.day, hh, mm, min(ss, 59), tzinfo=timezone(offset))


def _make_date(day: bytes, month: bytes, year: bytes) -> datetime:
    name = month.decode("ascii").capitalize()
    if name not in _MONTHS:
        raise ParseError("bad month name")
    try:
        return datetime(int(year), _MONTHS.index(name) + 1, int(day))
    except ValueError as exc:
        raise ParseError("no such date") from exc
