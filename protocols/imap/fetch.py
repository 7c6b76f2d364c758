"""FETCH data items (RFC 9051 6.4.5, RFC 3501 6.4.5) and their parser.

Extensions: BINARY / BINARY.PEEK / BINARY.SIZE (RFC 3516), MODSEQ and the
CHANGEDSINCE / VANISHED modifiers (RFC 7162), PREVIEW (RFC 8970).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from postvak.protocols.imap.cursor import Cursor
from postvak.protocols.imap.errors import ParseError


@dataclass(frozen=True)
class Att:
    """An item without section: ENVELOPE FLAGS INTERNALDATE RFC822 RFC822.HEADER RFC822.SIZE
    RFC822.TEXT BODY BODYSTRUCTURE UID MODSEQ SAVEDATE EMAILID THREADID."""

    name: str

    def response_name(self) -> str:
        return self.name


@dataclass(frozen=True)
class Section:
    """``part`` (1.2.3, empty for the whole message) then HEADER, HEADER.FIELDS[.NOT], TEXT or MIME."""

    part: tuple[int, ...] = ()
    text: str | None = None
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        spec = ".".join(str(p) for p in self.part)
        if self.text:
            spec = f"{spec}.{self.text}" if spec else self.text
        if self.fields:
            spec += " (" + " ".join(_astring(f) for f in self.fields) + ")"
        return spec


@dataclass(frozen=True)
class BodySection:
    """BODY[section]<partial>, BODY.PEEK[...], BINARY[part]<partial>, BINARY.PEEK[...]."""

    section: Section
    peek: bool = False
    partial: tuple[int, int] | None = None  # (offset, length)
    binary: bool = False

    def response_name(self) -> str:
        # RFC 9051 7.5.2: .PEEK is not echoed; a partial fetch is answered with <origin> only.
        name = f"{'BINARY' if self.binary else 'BODY'}[{self.section}]"
        return name if self.partial is None else f"{name}<{self.partial[0]}>"


@dataclass(frozen=True)
class BinarySize:
    part: tuple[int, ...] = ()

    def response_name(self) -> str:
        return "BINARY.SIZE[" + ".".join(str(p) for p in self.part) + "]"


@dataclass(frozen=True)
class Preview:
    lazy: bool = False  # RFC 8970 3.1: PREVIEW (LAZY)

    def response_name(self) -> str:
        return "PREVIEW"


FetchItem = Att | BodySection | BinarySize | Preview

SIMPLE = frozenset({
    "ENVELOPE", "FLAGS", "INTERNALDATE", "RFC822", "RFC822.HEADER", "RFC822.SIZE", "RFC822.TEXT",
    "BODY", "BODYSTRUCTURE", "UID", "MODSEQ", "SAVEDATE", "EMAILID", "THREADID",
})  # fmt: skip
MACROS = {
    "ALL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"),
    "FAST": ("FLAGS", "INTERNALDATE", "RFC822.SIZE"),
    "FULL": ("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"),
}
_NAME = re.compile(rb"[A-Za-z0-9.]+")
_MSGTEXT = ("HEADER.FIELDS.NOT", "HEADER.FIELDS", "HEADER", "TEXT", "MIME")


def sets_seen(items: tuple[FetchItem, ...]) -> bool:
    """RFC 9051 6.4.5: BODY[...], BINARY[...], RFC822 and RFC822.TEXT set \\Seen (unless .PEEK)."""
    for item in items:
        if isinstance(item, BodySection) and not item.peek:
            return True
        if isinstance(item, Att) and item.name in ("RFC822", "RFC822.TEXT"):
            return True
    return False


def parse_item(cur: Cursor) -> FetchItem:
    m = _NAME.match(cur.text, cur.pos)  # not cur.atom(): "[" is an ATOM-CHAR
    if m is None:
        raise cur.fail("fetch item")
    cur.pos = m.end()
    name = m.group().decode("ascii").upper()
    if name in ("BODY", "BODY.PEEK") and cur.peek() == b"[":
        return BodySection(_section(cur), peek=name == "BODY.PEEK", partial=_partial(cur))
    if name in ("BINARY", "BINARY.PEEK"):
        return BodySection(Section(_binary_part(cur)), peek=name == "BINARY.PEEK", partial=_partial(cur), binary=True)
    if name == "BINARY.SIZE":
        return BinarySize(_binary_part(cur))
    if name == "PREVIEW":
        if cur.try_expect(b" (LAZY)"):
            return Preview(lazy=True)
        return Preview()
    if name in SIMPLE:
        return Att(name)
    raise ParseError(f"unknown fetch item {name[:40]}")


def parse_items(cur: Cursor) -> tuple[tuple[FetchItem, ...], str | None]:
    """Macro, single item or parenthesised list; returns (items, macro name or None)."""
    if cur.peek() == b"(":
        return tuple(cur.paren_list(lambda: parse_item(cur), allow_empty=False)), None
    start = cur.pos
    word = cur.word()
    if word in MACROS:
        return tuple(Att(n) for n in MACROS[word]), word
    cur.pos = start
    return (parse_item(cur),), None


def _section(cur: Cursor) -> Section:
    cur.expect(b"[")
    part: list[int] = []
    text: str | None = None
    fields: tuple[str, ...] = ()
    if cur.peek() != b"]":
        while cur.peek().isdigit():
            part.append(cur.nz_number())
            if not cur.try_expect(b"."):
                break
        else:
            for candidate in _MSGTEXT:
                if candidate == "MIME" and not part:
                    continue  # RFC 9051 9: MIME only after a part number
                if cur.try_expect(candidate.encode()):
                    text = candidate
                    break
            else:
                raise cur.fail("section text")
            if text.startswith("HEADER.FIELDS"):
                cur.sp()
                fields = tuple(cur.text_str(f, "header name") for f in cur.paren_list(cur.astring, allow_empty=False))
    cur.expect(b"]")
    return Section(tuple(part), text, fields)


def _binary_part(cur: Cursor) -> tuple[int, ...]:
    cur.expect(b"[")
    part: list[int] = []
    if cur.peek() != b"]":
        part.append(cur.nz_number())
        while cur.try_expect(b"."):
            part.append(cur.nz_number())
    cur.expect(b"]")
    return tuple(part)


def _partial(cur: Cursor) -> tuple[int, int] | None:
    if not cur.try_expect(b"<"):
        return None
    offset = cur.number64()
    cur.expect(b".")
    length = cur.number64()
    if length == 0:
        raise ParseError("partial length must be non-zero")
    cur.expect(b">")
    return offset, length


def _astring(value: str) -> str:
    if value and all(c.isascii() and c.isprintable() and c not in ' (){%*"\\' for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
