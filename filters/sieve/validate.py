"""Compile-time checks (RFC 5228 2.10.5, 3.2, 8.2): require first, known commands
and tags, argument types and counts; parse tree -> Call/IfChain nodes."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from . import encoded
from .errors import SieveSyntaxError
from .match import ALWAYS_COMPARATORS, COMPARATORS, RELATIONS, MatchSpec
from .nodes import Arg, CommandNode, Num, Str, StrList, Tag, TestNode
from .spec import Call, IfChain, Node, Spec

# Spec lookups by name, filled by registry.py.
Registry = dict[str, Spec]
IncludeHook = Callable[[str, str, int], None]
ALSO_REQUIRES = {"global": ("variables",)}  # RFC 6609 3.3


class Validator:
    def __init__(self, registry: Registry, supported: frozenset[str], include: IncludeHook | None) -> None:
        self.registry = registry
        self.supported = supported
        self.include = include
        self.requires: set[str] = set()

    def script(self, commands: tuple[CommandNode, ...]) -> tuple[tuple[Node, ...], frozenset[str]]:
        body = list(commands)
        while body and body[0].name == "require":
            self.require(body.pop(0))
        return self.block(tuple(body)), frozenset(self.requires)

    def require(self, node: CommandNode) -> None:
        if node.tests or node.block is not None or len(node.args) != 1:
            raise SieveSyntaxError("require takes one string list", node.line)
        arg = node.args[0]
        if not isinstance(arg, (Str, StrList)):
            raise SieveSyntaxError("require takes one string list", node.line)
        for ext in (arg.values if isinstance(arg, StrList) else (arg.value,)):
            if ext not in self.supported:
                raise SieveSyntaxError(f"unsupported extension {ext!r}", node.line)
            self.requires.add(ext)
            if ext == "spamtestplus":
                self.requires.add("spamtest")
            if ext == "vacation-seconds":
                self.requires.add("vacation")

    def block(self, commands: tuple[CommandNode, ...]) -> tuple[Node, ...]:
        out: list[Node] = []
        chain: list[tuple[Call | None, tuple[Node, ...]]] | None = None
        chain_line = 0
        for node in commands:
            name = node.name
            if name in ("elsif", "else"):
                if chain is None:
                    raise SieveSyntaxError(f"{name} without if", node.line)
                chain.append(self.branch(node))
                if name == "else":
                    out.append(IfChain(tuple(chain), chain_line))
                    chain = None
                continue
            if chain is not None:
                out.append(IfChain(tuple(chain), chain_line))
                chain = None
            if name == "if":
                chain, chain_line = [self.branch(node)], node.line
            elif name == "require":
                raise SieveSyntaxError("require must come before other commands", node.line)
            else:
                out.append(self.command(node))
        if chain is not None:
            out.append(IfChain(tuple(chain), chain_line))
        return tuple(out)

    def branch(self, node: CommandNode) -> tuple[Call | None, tuple[Node, ...]]:
        if node.args:
            raise SieveSyntaxError(f"{node.name} takes no arguments", node.line)
        if node.block is None:
            raise SieveSyntaxError(f"{node.name} needs a block", node.line)
        if node.name == "else":
            if node.tests:
                raise SieveSyntaxError("else takes no test", node.line)
            return None, self.block(node.block)
        if len(node.tests) != 1 or node.test_list:
            raise SieveSyntaxError(f"{node.name} needs exactly one test", node.line)
        return self.test(node.tests[0]), self.block(node.block)

    def spec(self, name: str, kind: str, line: int) -> Spec:
        spec = self.registry.get(name)
        if spec is None or spec.kind != kind:
            raise SieveSyntaxError(f"unknown {kind} {name!r}", line)
        if spec.ext and not any(e in self.requires for e in spec.ext):
            raise SieveSyntaxError(f"{name} needs require {spec.ext[0]!r}", line)
        for ext in ALSO_REQUIRES.get(name, ()):
            if ext not in self.requires:
                raise SieveSyntaxError(f"{name} needs require {ext!r}", line)
        return spec

    def command(self, node: CommandNode) -> Call:
        spec = self.spec(node.name, "command", node.line)
        if node.block is not None:
            raise SieveSyntaxError(f"{node.name} takes no block", node.line)
        if node.tests:
            raise SieveSyntaxError(f"{node.name} takes no test", node.line)
        call = self.bind(spec, node.args, (), node.line)
        if node.name == "include" and self.include is not None:
            loc = "global" if call.tag(":global") else "personal"
            self.include(loc, call.args[0], node.line)
        return call

    def test(self, node: TestNode) -> Call:
        spec = self.spec(node.name, "test", node.line)
        if spec.tests == "none" and node.tests:
            raise SieveSyntaxError(f"{node.name} takes no test", node.line)
        if spec.tests == "one" and (len(node.tests) != 1 or node.test_list):
            raise SieveSyntaxError(f"{node.name} needs exactly one test", node.line)
        if spec.tests == "list" and not node.test_list:
            raise SieveSyntaxError(f"{node.name} needs a test list", node.line)
        tests = tuple(self.test(t) for t in node.tests)
        return self.bind(spec, node.args, tests, node.line)

    def string(self, value: str, line: int) -> str:
        if "encoded-character" in self.requires:
            return encoded.decode(value, line)
        return value

    def value(self, want: str, arg: Arg, what: str, line: int) -> Any:
        if want == "number":
            if isinstance(arg, Num):
                return arg.value
        elif want == "string":
            if isinstance(arg, Str):
                return self.string(arg.value, line)
        elif want == "strings":
            if isinstance(arg, Str):
                return (self.string(arg.value, line),)
            if isinstance(arg, StrList):
                return tuple(self.string(v, line) for v in arg.values)
        shown = {"strings": "a string list", "string": "a string", "number": "a number"}[want]
        raise SieveSyntaxError(f"{what} expects {shown}", line)

    def bind(self, spec: Spec, args: tuple[Arg, ...], tests: tuple[Call, ...], line: int) -> Call:
        tags: dict[str, Any] = {}
        groups: dict[str, str] = {}
        positional: list[Arg] = []
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if not isinstance(arg, Tag):
                positional.append(arg)
                continue
            if positional:
                raise SieveSyntaxError(f"{spec.name}: tag {arg.name} after positional arguments", arg.line)
            ts = spec.tags.get(arg.name)
            if ts is None:
                raise SieveSyntaxError(f"{spec.name}: unknown tag {arg.name}", arg.line)
            if ts.ext and not any(e in self.requires for e in ts.ext):
                raise SieveSyntaxError(f"{spec.name} {arg.name} needs require {ts.ext[0]!r}", arg.line)
            group = ts.group or arg.name
            if group in groups:
                raise SieveSyntaxError(
                    f"{spec.name}: {arg.name} conflicts with {groups[group]}", arg.line)
            groups[group] = arg.name
            if ts.value is None:
                tags[arg.name] = True
            else:
                if i >= len(args):
                    raise SieveSyntaxError(f"{spec.name}: {arg.name} needs a value", arg.line)
                tags[arg.name] = self.value(ts.value, args[i], f"{spec.name} {arg.name}", arg.line)
                i += 1
        want = spec.positional
        least = len(want) if spec.min_positional is None else spec.min_positional
        if not least <= len(positional) <= len(want):
            raise SieveSyntaxError(
                f"{spec.name} expects {len(want)} argument{'s' if len(want) != 1 else ''}, "
                f"got {len(positional)}", line)
        want = want[len(want) - len(positional):]
        values = tuple(self.value(w, a, spec.name, line) for w, a in zip(want, positional, strict=True))
        for g in spec.required_groups:
            if g not in groups:
                raise SieveSyntaxError(f"{spec.name} needs one of {self.group_tags(spec, g)}", line)
        call = Call(spec.name, spec, MappingProxyType(tags), values, tests, None, line,
                    self.match(spec, tags, line))
        if spec.check is not None:
            spec.check(call)
        return call

    @staticmethod
    def group_tags(spec: Spec, group: str) -> str:
        return " ".join(t for t, ts in spec.tags.items() if ts.group == group)

    def match(self, spec: Spec, tags: dict[str, Any], line: int) -> MatchSpec | None:
        if ":comparator" not in spec.tags:
            return None
        kind, relation = ":is", ""
        for t in (":is", ":contains", ":matches", ":value", ":count"):
            if t in tags:
                kind = t
        if kind in (":value", ":count"):
            relation = str(tags[kind]).lower()
            if relation not in RELATIONS:  # RFC 5231 5
                raise SieveSyntaxError(f"unknown relational operator {tags[kind]!r}", line)
        comparator = str(tags.get(":comparator", "i;ascii-casemap")).lower()
        if comparator not in COMPARATORS:
            raise SieveSyntaxError(f"unknown comparator {comparator!r}", line)
        if comparator not in ALWAYS_COMPARATORS and f"comparator-{comparator}" not in self.requires:
            raise SieveSyntaxError(f"comparator {comparator!r} needs require 'comparator-{comparator}'", line)
        if comparator == "i;ascii-numeric" and kind in (":contains", ":matches"):
            raise SieveSyntaxError(f"{comparator} does not support {kind}", line)
        return MatchSpec(kind, relation, comparator)
