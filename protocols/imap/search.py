"""SEARCH keys (RFC 9051 6.4.4, RFC 3501 6.4.4) as a small typed tree, and their parser.

Extensions: MODSEQ (RFC 7162 3.1.5), OLDER/YOUNGER (RFC 5032), "$" (RFC 5182),
and ``X-POSTVAK-RAW "query"``: the user query language of FEATURES.md
("Zoeken"), in the manner of Gmail's X-GM-RAW.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from postvak.protocols.imap.cursor import Cursor
from postvak.protocols.imap.errors import LimitExceeded, ParseError
from postvak.protocols.imap.seqset import SequenceSet


@dataclass(frozen=True)
class All:
    pass


@dataclass(frozen=True)
class And:
    keys: tuple[SearchKey, ...]


@dataclass(frozen=True)
class Or:
    left: SearchKey
    right: SearchKey


@dataclass(frozen=True)
class Not:
    key: SearchKey


@dataclass(frozen=True)
class Seq:
    """Message sequence numbers (or "$", the saved result)."""

    seqset: SequenceSet


@dataclass(frozen=True)
class Uid:
    seqset: SequenceSet


@dataclass(frozen=True)
class Flag:
    """A system flag (``\\Seen``) or keyword is set (``present``) or not; ``\\Recent`` for RECENT/OLD."""

    flag: str
    present: bool = True


@dataclass(frozen=True)
class Date:
    """``field``: "internal" (BEFORE/ON/SINCE) or "sent" (SENTBEFORE/...); ``op``: before/on/since."""

    field: str
    op: str
    day: date


@dataclass(frozen=True)
class Size:
    op: str  # "larger" or "smaller"
    size: int


@dataclass(frozen=True)
class Text:
    """``field``: bcc body cc from subject text to (substring, case-insensitive)."""

    field: str
    value: str


@dataclass(frozen=True)
class Header:
    name: str
    value: str


@dataclass(frozen=True)
class ModSeq:
    modseq: int
    entry: str | None = None
    entry_type: str | None = None  # "priv", "shared" or "all"


@dataclass(frozen=True)
class Age:
    """RFC 5032: OLDER / YOUNGER than ``seconds`` (by internal date)."""

    op: str  # "older" or "younger"
    seconds: int


@dataclass(frozen=True)
class Raw:
    """X-POSTVAK-RAW: the user query language (AND of words, OR, "phrases", prefix*, -exclude)."""

    query: str


SearchKey = All | And | Or | Not | Seq | Uid | Flag | Date | Size | Text | Header | ModSeq | Age | Raw

_FLAGS = {
    "ANSWERED": ("\\Answered", True), "DELETED": ("\\Deleted", True), "DRAFT": ("\\Draft", True),
    "FLAGGED": ("\\Flagged", True), "SEEN": ("\\Seen", True), "RECENT": ("\\Recent", True),
    "OLD": ("\\Recent", False), "UNANSWERED": ("\\Answered", False), "UNDELETED": ("\\Deleted", False),
    "UNDRAFT": ("\\Draft", False), "UNFLAGGED": ("\\Flagged", False), "UNSEEN": ("\\Seen", False),
}  # fmt: skip
_DATES = {
    "BEFORE": ("internal", "before"), "ON": ("internal", "on"), "SINCE": ("internal", "since"),
    "SENTBEFORE": ("sent", "before"), "SENTON": ("sent", "on"), "SENTSINCE": ("sent", "since"),
}  # fmt: skip
_TEXTS = {"BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO"}
RETURN_OPTIONS = frozenset({"MIN", "MAX", "ALL", "COUNT", "SAVE"})  # RFC 4731 3.1, RFC 5182 2
CHARSETS = frozenset({"UTF-8", "US-ASCII"})  # RFC 9051 6.4.4: UTF-8 required; others get BADCHARSET


def parse_return_opts(cur: Cursor) -> tuple[str, ...]:
    """ "RETURN" SP "(" [opt *(SP opt)] ")" with the RETURN already read; "()" means ALL (RFC 4731 3.1)."""
    opts = cur.paren_list(cur.word)
    bad = [o for o in opts if o not in RETURN_OPTIONS]
    if bad:
        raise ParseError(f"unknown RETURN option {bad[0]}")
    return tuple(dict.fromkeys(opts)) or ("ALL",)


def parse_charset(cur: Cursor) -> str:
    charset = cur.astr().upper()
    if charset not in CHARSETS:
        # RFC 9051 6.4.4: NO [BADCHARSET (UTF-8)]; the session maps this code to NO.
        raise ParseError(f"unsupported charset {charset[:40]}", code="BADCHARSET")
    return charset


def parse_program(cur: Cursor) -> SearchKey:
    """1*(SP search-key) up to the end of the command, the leading SP already read."""
    keys = [parse_key(cur)]
    while cur.try_expect(b" "):
        keys.append(parse_key(cur))
    cur.end()
    return keys[0] if len(keys) == 1 else And(tuple(keys))


def parse_key(cur: Cursor, depth: int = 0) -> SearchKey:
    if depth > cur.limits.search_depth:
        raise LimitExceeded("search keys nested too deep")
    cur.counted()
    c = cur.peek()
    if c == b"(":
        cur.enter()
        cur.pos += 1
        keys = [parse_key(cur, depth + 1)]
        while cur.try_expect(b" "):
            keys.append(parse_key(cur, depth + 1))
        cur.expect(b")")
        cur.depth -= 1
        return keys[0] if len(keys) == 1 else And(tuple(keys))
    if c and (c in b"0123456789*$"):
        return Seq(cur.seqset())
    word = cur.word()
    if word == "ALL":
        return All()
    if word in _FLAGS:
        flag, present = _FLAGS[word]
        return Flag(flag, present)
    if word == "NEW":
        return And((Flag("\\Recent"), Flag("\\Seen", False)))
    if word in ("KEYWORD", "UNKEYWORD"):
        cur.sp()
        return Flag(cur.atom(), word == "KEYWORD")
    if word in _DATES:
        cur.sp()
        field, op = _DATES[word]
        return Date(field, op, cur.date().date())
    if word in ("LARGER", "SMALLER"):
        cur.sp()
        return Size(word.lower(), cur.number64())
    if word in _TEXTS:
        cur.sp()
        return Text(word.lower(), cur.text_str(cur.astring()))
    if word == "HEADER":
        cur.sp()
        name = cur.text_str(cur.astring(), "header name")
        cur.sp()
        return Header(name, cur.text_str(cur.astring()))
    if word == "UID":
        cur.sp()
        return Uid(cur.seqset())
    if word == "NOT":
        cur.sp()
        return Not(parse_key(cur, depth + 1))
    if word == "OR":
        cur.sp()
        left = parse_key(cur, depth + 1)
        cur.sp()
        return Or(left, parse_key(cur, depth + 1))
    if word in ("OLDER", "YOUNGER"):
        cur.sp()
        return Age(word.lower(), cur.nz_number())
    if word == "MODSEQ":
        return _modseq(cur)
    if word == "X-POSTVAK-RAW":
        cur.sp()
        return Raw(cur.text_str(cur.astring(), "query"))
    raise ParseError(f"unknown search key {word[:40]}")


def _modseq(cur: Cursor) -> ModSeq:
    # RFC 7162 3.1.5: MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer
    cur.sp()
    if cur.peek() == b'"' or cur.at_literal():
        entry = cur.text_str(cur.string(), "entry name")
        cur.sp()
        entry_type = cur.word().lower()
        if entry_type not in ("priv", "shared", "all"):
            raise ParseError("bad MODSEQ entry type")
        cur.sp()
        return ModSeq(cur.number64(), entry, entry_type)
    return ModSeq(cur.number64())
