"""RFC 5229 variables: ${...} expansion and the `set` modifiers (pure helpers)."""

from __future__ import annotations

import re
from collections.abc import Callable

# RFC 5229 3: variable-ref = "${" [namespace] variable-name "}"
REF = re.compile(r"\$\{((?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_][A-Za-z0-9_]*|[0-9]+)\}")
NAME = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_][A-Za-z0-9_]*")


def expand(value: str, lookup: Callable[[str], str]) -> str:
    """One pass, left to right: expanded text is not expanded again (RFC 5229 3)."""
    return REF.sub(lambda m: lookup(m.group(1)), value)


def valid_name(name: str) -> bool:
    return NAME.fullmatch(name) is not None


# RFC 5229 4.1: precedence of modifiers; higher is applied first, one per level.
PRECEDENCE = {
    ":lower": 40, ":upper": 40,
    ":lowerfirst": 30, ":upperfirst": 30,
    ":quotewildcard": 20,
    ":length": 10,
}


def quote_wildcard(s: str) -> str:
    return re.sub(r"([*?\\])", r"\\\1", s)


def apply_modifiers(value: str, modifiers: list[str]) -> str:
    for mod in sorted(modifiers, key=lambda m: -PRECEDENCE[m]):
        if mod == ":lower":
            value = value.lower()
        elif mod == ":upper":
            value = value.upper()
        elif mod == ":lowerfirst":
            value = value[:1].lower() + value[1:]
        elif mod == ":upperfirst":
            value = value[:1].upper() + value[1:]
        elif mod == ":quotewildcard":
            value = quote_wildcard(value)
        elif mod == ":length":
            value = str(len(value))
    return value
