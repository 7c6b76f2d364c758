"""RFC 5322 3.4 address lists (with the obsolete forms of 4.4) into IMAP ENVELOPE addresses."""

from __future__ import annotations

import re

from postvak.protocols.mime.charset import header_str
from postvak.protocols.mime.model import Address

# One token per match; "(" starts a comment, scanned by hand because comments nest.
# Quoted strings and domain literals always match (to their end or the input's end):
# a failing match would be retried at every later quote and cost quadratic time.
_TOK = re.compile(
    r"""(?P<ws>[ \t\r\n]+)
      |(?P<q>"(?:[^"\\]|\\.)*(?:"|\\?\Z))
      |(?P<c>\()
      |(?P<dl>\[(?:[^\[\]\\]|\\.)*(?:\]|\\?\Z|(?=\[)))
      |(?P<sp>[,;:<>@.])
      |(?P<a>[^\s"(),;:<>@.\[\]]+)
      |(?P<x>.)""",
    re.X | re.S,
)
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+"
# One plain address, "Name <a@b>" or "a@b". The unquoted name is an atomic group so a
# long run of spaces cannot make the regex backtrack quadratically.
_SIMPLE = re.compile(
    rf'[ \t]*(?:(?:"([^"\\\r\n]*)"[ \t]*|(?>([A-Za-z0-9!#$%&\'*+/=?^_`{{|}}~. \t-]*)))<({_ATEXT})@({_ATEXT})>'
    rf"|({_ATEXT})@({_ATEXT}))[ \t]*"
)
_ESC = re.compile(r"\\(.)", re.S)


def _unescape(m: re.Match[str]) -> str:
    return m.group(1)


_GROUP_END = Address(None, None, None, None)
# Kinds: "a" atom, "q" quoted (text unescaped), "c" comment, "d" domain literal, or the special itself.
Token = tuple[str, str, bool]  # (kind, text, preceded by whitespace)


def _tokens(value: str) -> list[Token]:
    out: list[Token] = []
    pos, n, ws = 0, len(value), False
    while pos < n:
        m = _TOK.match(value, pos)
        if m is None:  # cannot happen (the last branch takes any char), but stay total
            break
        kind = m.lastgroup
        pos = m.end()
        if kind == "ws":
            ws = True
            continue
        text = m.group()
        if kind == "q":
            body = text[1:-1] if len(text) > 1 and text.endswith('"') else text[1:]
            out.append(("q", _ESC.sub(_unescape, body), ws))
        elif kind == "c":
            depth, start = 1, pos
            while pos < n and depth:
                ch = value[pos]
                if ch == "\\":
                    pos += 1
                elif ch == "(":
                    depth += 1
                elif ch == ")":
                    depth -= 1
                pos += 1
            out.append(("c", value[start : pos - 1 if depth == 0 else pos], ws))
        elif kind == "dl":
            out.append(("d", text, ws))
        elif kind == "sp":
            out.append((text, text, ws))
        else:
            out.append(("a", text, ws))
        ws = False
    return out


def _phrase(tokens: list[Token]) -> str | None:
    """Display name as written: words single-spaced, quotes removed, comments dropped."""
    parts: list[str] = []
    for kind, text, ws in tokens:
        if kind == "c":
            continue
        if parts and ws:
            parts.append(" ")
        parts.append(text)
    return "".join(parts).strip() or None


def _local_word(kind: str, text: str) -> str:
    if kind == "q":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _addr_spec(tokens: list[Token]) -> tuple[str, str]:
    """(local part, domain) from addr-spec tokens; domain "" when there is no "@"."""
    words = [(k, t) for k, t, _ in tokens if k != "c"]
    at = max((i for i, (k, _) in enumerate(words) if k == "@"), default=-1)
    if at < 0:
        return "".join(_local_word(k, t) for k, t in words), ""
    local = "".join(_local_word(k, t) for k, t in words[:at])
    domain = "".join(t for _, t in words[at + 1 :])
    return local, domain


def _comment_name(tokens: list[Token]) -> str | None:
    comments = [t.strip() for k, t, _ in tokens if k == "c" and t.strip()]
    return comments[-1] if comments else None


def parse_addresses(value: str | bytes | None) -> tuple[Address, ...]:
    """Parse an address-list header value; never raises.

    Groups become a start marker, their members, and an end marker (RFC 3501 7.4.2).
    ``user@host (Name)`` takes the comment as the name. Junk after ``<...>`` is ignored.
    """
    if not value:
        return ()
    if isinstance(value, str):
        m = _SIMPLE.fullmatch(value)
        if m is not None:  # fast path: one plain "Name <a@b>" or "a@b", the common case
            if m.group(3) is None:
                return (Address(None, None, m.group(5), m.group(6)),)
            name = m.group(1) if m.group(1) is not None else " ".join((m.group(2) or "").split())
            return (Address(name or None, None, m.group(3), m.group(4)),)
    toks = _tokens(header_str(value) if isinstance(value, bytes) else str(value))
    out: list[Address] = []
    pending: list[Token] = []
    in_group = False
    skipping = False  # after <addr>, until the next separator

    def flush() -> None:
        if any(k != "c" for k, _, _ in pending):
            local, domain = _addr_spec(pending)
            out.append(Address(_comment_name(pending), None, local, domain))
        pending.clear()

    i, n = 0, len(toks)
    while i < n:
        kind = toks[i][0]
        if kind == ",":
            flush()
            skipping = False
        elif kind == ";":
            flush()
            skipping = False
            if in_group:
                out.append(_GROUP_END)
                in_group = False
        elif skipping:
            pass
        elif kind == ":" and not in_group:
            out.append(Address(None, None, _phrase(pending) or "", None))
            pending.clear()
            in_group = True
        elif kind == "<":
            j = i + 1
            while j < n and toks[j][0] != ">":
                j += 1
            inner = toks[i + 1 : j]
            adl = None
            if inner and inner[0][0] == "@":
                colon = next((k for k, t in enumerate(inner) if t[0] == ":"), -1)
                if colon >= 0:
                    adl = "".join(t for k, t, _ in inner[:colon] if k != "c") or None
                    inner = inner[colon + 1 :]
            local, domain = _addr_spec(inner)
            if local or domain or pending:
                out.append(Address(_phrase(pending), adl, local, domain))
            pending.clear()
            skipping = True
            i = j
        else:
            pending.append(toks[i])
        i += 1
    flush()
    if in_group:
        out.append(_GROUP_END)
    return tuple(out)


_ATOM_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ .-]*")


def _quote_phrase(name: str) -> str:
    if _ATOM_PHRASE.fullmatch(name) and not name.startswith(".") and ".." not in name:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_address(addr: Address) -> str:
    """RFC 5322 text for one address (``"Name" <a@b>``, ``a@b``, ``group:`` or ``;``)."""
    if addr.host is None:
        return ";" if addr.mailbox is None else f"{_quote_phrase(addr.mailbox)}:"
    spec = addr.addr_spec
    if addr.adl:
        spec = f"{addr.adl}:{spec}"
    if addr.name:
        return f"{_quote_phrase(addr.name)} <{spec}>"
    return f"<{spec}>" if addr.adl else spec


def format_addresses(addrs: tuple[Address, ...]) -> str:
    """A whole list, groups included, as one header value."""
    text, sep = "", ""
    for a in addrs:
        if a.is_group_end:
            text += ";"
        else:
            text += sep + format_address(a)
            sep = " " if a.is_group_start else ", "
            continue
        sep = ", "
    return text


def addr_specs(addrs: tuple[Address, ...]) -> str:
    """Lower-cased addr-specs joined by "," (group markers skipped), for SORT and search."""
    return ",".join(a.addr_spec.lower() for a in addrs if a.host is not None)
