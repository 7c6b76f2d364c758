"""How commands and tests are declared (one Spec each, in the ext_* modules) and
the compiled form the interpreter runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .match import MatchSpec


@dataclass(frozen=True)
class TagSpec:
    value: str | None = None  # None (flag), "string", "strings" or "number"
    group: str | None = None  # tags of one group exclude each other
    ext: tuple[str, ...] = ()  # needs one of these extensions required


@dataclass(frozen=True)
class Spec:
    name: str
    kind: str  # "command" or "test"
    run: Callable[..., Any]
    ext: tuple[str, ...] = ()  # one of these must be required (empty: base language)
    positional: tuple[str, ...] = ()  # "string", "strings" or "number"
    min_positional: int | None = None  # leading positionals that may be left out
    tags: Mapping[str, TagSpec] = field(default_factory=lambda: MappingProxyType({}))
    required_groups: tuple[str, ...] = ()
    tests: str = "none"  # "none", "one" or "list"
    block: bool = False
    # True for actions: they count against Limits.max_actions and cannot follow reject
    action: bool = False
    # extra compile-time checks; raises SieveSyntaxError
    check: Callable[[Call], None] | None = None


@dataclass(frozen=True, eq=False)
class Call:
    """A validated command or test: tag values and positionals are plain Python."""

    name: str
    spec: Spec
    tags: Mapping[str, Any]
    args: tuple[Any, ...]
    tests: tuple[Call, ...]
    block: tuple[Node, ...] | None
    line: int
    match: MatchSpec | None = None

    def tag(self, name: str, default: Any = None) -> Any:
        return self.tags.get(name, default)


@dataclass(frozen=True, eq=False)
class IfChain:
    """if / elsif / else, joined at compile time (RFC 5228 3.1)."""

    branches: tuple[tuple[Call | None, tuple[Node, ...]], ...]
    line: int


Node = Call | IfChain


def tags(**groups: Mapping[str, TagSpec]) -> Mapping[str, TagSpec]:
    merged: dict[str, TagSpec] = {}
    for g in groups.values():
        merged.update(g)
    return MappingProxyType(merged)


MATCH_TYPE = {
    ":is": TagSpec(group="match"),
    ":contains": TagSpec(group="match"),
    ":matches": TagSpec(group="match"),
    ":value": TagSpec("string", "match", ("relational",)),  # RFC 5231 4.
    ":count": TagSpec("string", "match", ("relational",)),
}
COMPARATOR = {":comparator": TagSpec("string", "comparator")}
ADDRESS_PART = {
    ":all": TagSpec(group="address-part"),
    ":localpart": TagSpec(group="address-part"),
    ":domain": TagSpec(group="address-part"),
    ":user": TagSpec(group="address-part", ext=("subaddress",)),  # RFC 5233 4.
    ":detail": TagSpec(group="address-part", ext=("subaddress",)),
}
INDEX = {  # RFC 5260 6.
    ":index": TagSpec("number", "index", ("index",)),
    ":last": TagSpec(None, "last", ("index",)),
}
MATCHING = {**MATCH_TYPE, **COMPARATOR}
