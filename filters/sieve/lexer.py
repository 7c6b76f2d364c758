"""Tokens of a Sieve script (RFC 5228 8.1 lexical tokens, 2.3 comments, 2.4.2 strings)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .errors import SieveSyntaxError

Kind = Literal["identifier", "tag", "number", "string", "punct"]


@dataclass(frozen=True)
class Token:
    kind: Kind
    value: str | int
    line: int
    # True for text: literals; some extensions care only about the value, but the
    # rules editor uses it to decide how to render long texts again.
    multiline: bool = False


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"([0-9]+)([KkMmGg]?)")
_MULTILINE_START = re.compile(r"text:[ \t]*(#[^\n]*)?\r?\n")
_QUANT = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
# RFC 5228 8.1 leaves number size to the implementation; 2**63-1 is what
# interoperable scripts can rely on, and bigger ones are a syntax error.
MAX_NUMBER = (1 << 63) - 1
PUNCT = set(";,()[]{}")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos, line, n = 0, 1, len(text)
    while pos < n:
        ch = text[pos]
        if ch == "\n":
            line += 1
            pos += 1
        elif ch in " \t\r":
            pos += 1
        elif ch == "#":  # RFC 5228 2.3: hash comment to end of line
            end = text.find("\n", pos)
            pos = n if end < 0 else end
        elif text.startswith("/*", pos):  # bracket comment, not nested
            end = text.find("*/", pos + 2)
            if end < 0:
                raise SieveSyntaxError("unterminated bracket comment", line)
            line += text.count("\n", pos, end)
            pos = end + 2
        elif ch in PUNCT:
            tokens.append(Token("punct", ch, line))
            pos += 1
        elif ch == ":":
            m = _IDENT.match(text, pos + 1)
            if not m:
                raise SieveSyntaxError("':' must start a tag", line)
            tokens.append(Token("tag", ":" + m.group().lower(), line))
            pos = m.end()
        elif ch == '"':
            value, pos, newlines = _quoted(text, pos + 1, line)
            tokens.append(Token("string", value, line))
            line += newlines
        elif ch.isdigit() and ch.isascii():
            m = _NUMBER.match(text, pos)
            assert m is not None
            number = int(m.group(1)) * _QUANT[m.group(2).lower()]
            if number > MAX_NUMBER:
                raise SieveSyntaxError("number too large", line)
            if m.end() < n and (text[m.end()].isalnum() or text[m.end()] == "_"):
                raise SieveSyntaxError("bad number", line)
            tokens.append(Token("number", number, line))
            pos = m.end()
        else:
            m = _MULTILINE_START.match(text, pos)
            if m:
                value, pos, newlines = _multiline(text, m.end(), line)
                tokens.append(Token("string", value, line, multiline=True))
                line += newlines
                continue
            m = _IDENT.match(text, pos)
            if not m:
                raise SieveSyntaxError(f"unexpected character {ch!r}", line)
            tokens.append(Token("identifier", m.group().lower(), line))
            pos = m.end()
    return tokens


def _quoted(text: str, pos: int, line: int) -> tuple[str, int, int]:
    """RFC 5228 2.4.2: only \\\\ and \\" are escapes; any other backslash is dropped."""
    out: list[str] = []
    start = pos
    n = len(text)
    while pos < n:
        ch = text[pos]
        if ch == '"':
            return "".join(out), pos + 1, text.count("\n", start, pos)
        if ch == "\\":
            if pos + 1 >= n:
                break
            out.append(text[pos + 1])
            pos += 2
            continue
        out.append(ch)
        pos += 1
    raise SieveSyntaxError("unterminated string", line)


def _multiline(text: str, pos: int, line: int) -> tuple[str, int, int]:
    """RFC 5228 2.4.2: lines up to a lone ".", with dot-stuffing undone."""
    out: list[str] = []
    start = pos
    n = len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            break
        raw = text[pos:end]
        body = raw[:-1] if raw.endswith("\r") else raw
        if body == ".":
            return "".join(out), end + 1, text.count("\n", start - 1, end + 1)
        if body.startswith(".."):
            body = body[1:]
        out.append(body + "\r\n")
        pos = end + 1
    # A final "." without a newline at end of file is accepted too.
    if text[pos:].rstrip("\r") == ".":
        return "".join(out), n, text.count("\n", start - 1, n)
    raise SieveSyntaxError("unterminated text: literal", line)
