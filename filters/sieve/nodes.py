"""Parse tree of a Sieve script (RFC 5228 8.2 grammar), before validation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Str:
    value: str
    line: int
    multiline: bool = False


@dataclass(frozen=True)
class StrList:
    values: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Num:
    value: int
    line: int


@dataclass(frozen=True)
class Tag:
    name: str  # with the leading ":", lower-cased
    line: int


Arg = Str | StrList | Num | Tag


@dataclass(frozen=True)
class TestNode:
    name: str
    args: tuple[Arg, ...]
    tests: tuple[TestNode, ...]
    line: int
    test_list: bool = False  # written as "( ... )"


@dataclass(frozen=True)
class CommandNode:
    name: str
    args: tuple[Arg, ...]
    tests: tuple[TestNode, ...]
    block: tuple[CommandNode, ...] | None
    line: int
    test_list: bool = False
