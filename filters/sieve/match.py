"""Comparators (RFC 4790 via RFC 5228 2.7.3), match types (2.7.1) and relational
match types (RFC 5231)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .errors import SieveRuntimeError

COMPARATORS = ("i;octet", "i;ascii-casemap", "i;ascii-numeric")
RELATIONS = ("gt", "ge", "lt", "le", "eq", "ne")
# A comparator is usable only after `require "comparator-<name>"`, except these two.
ALWAYS_COMPARATORS = ("i;octet", "i;ascii-casemap")


@dataclass(frozen=True)
class MatchSpec:
    """The match-type and comparator arguments of one test, after validation."""

    kind: str = ":is"  # :is :contains :matches :value :count
    relation: str = ""  # for :value / :count
    comparator: str = "i;ascii-casemap"


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(comparator: str, s: str) -> str:
    # i;ascii-casemap folds ASCII letters only (RFC 4790 9.2), not Unicode case.
    return s.translate(_ASCII_LOWER) if comparator == "i;ascii-casemap" else s


def numeric_value(s: str) -> float:
    """RFC 4790 9.1: leading digits as a number; no leading digit = positive infinity."""
    i = 0
    while i < len(s) and "0" <= s[i] <= "9":
        i += 1
    return float("inf") if i == 0 else int(s[:i])


def _order(comparator: str, a: str, b: str) -> int:
    if comparator == "i;ascii-numeric":
        x, y = numeric_value(a), numeric_value(b)
    else:
        x, y = _fold(comparator, a), _fold(comparator, b)  # type: ignore[assignment]
    return (x > y) - (x < y)


def _relate(relation: str, cmp: int) -> bool:
    return {
        "gt": cmp > 0, "ge": cmp >= 0, "lt": cmp < 0,
        "le": cmp <= 0, "eq": cmp == 0, "ne": cmp != 0,
    }[relation]


@lru_cache(maxsize=512)
def _glob(pattern: str, casemap: bool) -> re.Pattern[str]:
    """RFC 5228 2.7.1 :matches: "*" any run, "?" one character, "\\" escapes.
    Each wildcard is a group, non-greedy, for RFC 5229 3.2 match variables."""
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append("(.*?)")
        elif ch == "?":
            out.append("(.)")
        else:
            out.append(re.escape(ch))
        i += 1
    flags = re.S | (re.I | re.ASCII if casemap else 0)
    return re.compile("".join(out), flags)


def match_one(spec: MatchSpec, value: str, key: str) -> list[str] | None:
    """None for no match; a list (the :matches groups, with [0] the whole value)."""
    kind, comp = spec.kind, spec.comparator
    if kind == ":is":
        if comp == "i;ascii-numeric":
            return [value] if _order(comp, value, key) == 0 else None
        return [value] if _fold(comp, value) == _fold(comp, key) else None
    if kind == ":contains":
        if comp == "i;ascii-numeric":
            raise SieveRuntimeError("i;ascii-numeric does not support :contains")
        return [value] if _fold(comp, key) in _fold(comp, value) else None
    if kind == ":matches":
        if comp == "i;ascii-numeric":
            raise SieveRuntimeError("i;ascii-numeric does not support :matches")
        m = _glob(key, comp == "i;ascii-casemap").fullmatch(value)
        return [value, *m.groups()] if m else None
    if kind == ":value":
        return [value] if _relate(spec.relation, _order(comp, value, key)) else None
    raise SieveRuntimeError(f"unknown match type {kind}")


def match_any(
    spec: MatchSpec,
    values: Sequence[str],
    keys: Sequence[str],
    step: Callable[[int], None],
    on_match: Callable[[list[str]], None] | None = None,
) -> bool:
    """True when any value matches any key; :count compares the number of values."""
    if spec.kind == ":count":
        count = str(len(values))
        step(len(keys))
        return any(_relate(spec.relation, _order(spec.comparator, count, k)) for k in keys)
    for value in values:
        step(len(keys) + 1)
        for key in keys:
            groups = match_one(spec, value, key)
            if groups is not None:
                if on_match is not None and spec.kind == ":matches":
                    on_match(groups)
                return True
    return False
