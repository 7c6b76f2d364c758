"""IMAP flags <-> columns: system flags are booleans, keywords one space-separated text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

SYSTEM = {"\\seen": "seen", "\\answered": "answered", "\\flagged": "flagged", "\\deleted": "deleted", "\\draft": "draft"}
SPELLING = {"seen": "\\Seen", "answered": "\\Answered", "flagged": "\\Flagged", "deleted": "\\Deleted", "draft": "\\Draft"}
COLUMNS = tuple(SPELLING)


def normalize(flags: Iterable[str]) -> frozenset[str]:
    """System flags spelled as in IMAP whatever the case (RFC 9051 2.3.2); keywords as given.

    \\Recent is session state, not stored (RFC 9051 removed it; RFC 3501 2.3.2)."""
    out = set()
    for flag in flags:
        low = flag.lower()
        if low in SYSTEM:
            out.add(SPELLING[SYSTEM[low]])
        elif low != "\\recent" and flag and not any(c in flag for c in " ()\r\n"):
            out.add(flag)
    return frozenset(out)


def from_row(row: Any) -> frozenset[str]:
    flags = {SPELLING[c] for c in COLUMNS if getattr(row, c)}
    if row.keywords:
        flags.update(row.keywords.split(" "))
    return frozenset(flags)


def to_values(flags: frozenset[str]) -> dict[str, Any]:
    values: dict[str, Any] = {c: SPELLING[c] in flags for c in COLUMNS}
    values["keywords"] = " ".join(sorted(f for f in flags if not f.startswith("\\")))
    return values


def apply(current: frozenset[str], mode: str, flags: frozenset[str]) -> frozenset[str]:
    if mode == "add":
        return current | flags
    if mode == "remove":
        return current - flags
    if mode == "replace":
        return flags
    raise ValueError(f"flag mode {mode!r} is not add, remove or replace")
