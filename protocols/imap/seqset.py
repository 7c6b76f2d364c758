"""Sequence sets (RFC 9051 9 ``sequence-set``): "1:5,7,10:*", and "$" (RFC 5182 SEARCHRES)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from postvak.protocols.imap.errors import ParseError

MAX_NUMBER = 0xFFFFFFFF  # RFC 9051 9: nz-number is 32 bits

Bound = int | None  # None is "*": the largest number in use


@dataclass(frozen=True)
class SequenceSet:
    """Ranges as given by the client; ``saved`` is "$" (the last SEARCH ... SAVE result)."""

    ranges: tuple[tuple[Bound, Bound], ...] = ()
    saved: bool = False

    @classmethod
    def parse(cls, text: str | bytes) -> SequenceSet:
        raw = text.decode("ascii", "replace") if isinstance(text, bytes) else text
        if raw == "$":
            return cls(saved=True)
        if not raw:
            raise ParseError("empty sequence set")
        ranges: list[tuple[Bound, Bound]] = []
        for item in raw.split(","):
            lo, sep, hi = item.partition(":")
            first = _bound(lo)
            ranges.append((first, _bound(hi) if sep else first))
        return cls(tuple(ranges))

    @classmethod
    def of(cls, numbers: Iterable[int]) -> SequenceSet:
        """The compact set of the given numbers (sorted, runs joined)."""
        return cls(tuple((lo, hi) for lo, hi in _runs(numbers)))

    def resolve(self, largest: int) -> list[tuple[int, int]]:
        """Sorted, merged, inclusive ranges with "*" replaced by ``largest``; empty if ``largest`` is 0.

        Numbers above ``largest`` are kept (callers decide: BAD for message numbers, ignore for UIDs).
        """
        if self.saved:
            raise ParseError("the saved result $ must be substituted by the session")
        if largest <= 0:
            return []  # an empty mailbox: nothing to address
        spans = []
        for lo, hi in self.ranges:
            a = largest if lo is None else lo
            b = largest if hi is None else hi
            a, b = min(a, b), max(a, b)
            if b >= 1:
                spans.append((max(a, 1), b))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged

    def iter(self, largest: int) -> Iterator[int]:
        """Each number in the set, ascending, clipped to ``largest``."""
        for a, b in self.resolve(largest):
            yield from range(a, min(b, largest) + 1)

    def contains(self, number: int, largest: int) -> bool:
        return any(a <= number <= b for a, b in self.resolve(largest))

    def __str__(self) -> str:
        if self.saved:
            return "$"
        return ",".join(_fmt(lo) if lo == hi else f"{_fmt(lo)}:{_fmt(hi)}" for lo, hi in self.ranges)


def compact(numbers: Iterable[int]) -> str:
    """``[1, 2, 3, 4, 5, 7]`` -> "1:5,7" (uid-set form for COPYUID, VANISHED, ESEARCH ALL)."""
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in _runs(numbers))


def _runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _bound(text: str) -> Bound:
    if text == "*":
        return None
    if not text.isascii() or not text.isdigit() or text[0] == "0":
        raise ParseError(f"bad sequence number {text[:20]!r}")
    value = int(text)
    if value > MAX_NUMBER:
        raise ParseError("sequence number too large")
    return value


def _fmt(bound: Bound) -> str:
    return "*" if bound is None else str(bound)
