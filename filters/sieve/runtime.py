"""The interpreter: walks compiled nodes, keeps the action list, variables, flags
and limits (RFC 5228 2.10 actions and implicit keep)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .context import Environment, Limits, MessageContext
from .errors import SieveRuntimeError
from .match import match_any
from .plan import Action, FileInto, Keep, Redirect, Reject, Vacation
from .spec import Call, IfChain, Node
from .variables import expand


class Stop(Exception):
    """`stop` (RFC 5228 3.3): ends the whole evaluation."""


class Return(Exception):
    """`return` (RFC 6609 3.4): ends the current (included) script."""


@dataclass(frozen=True, eq=False)
class Script:
    nodes: tuple[Node, ...]
    requires: frozenset[str]
    name: str = ""
    # (location, name) -> Script or None (missing); shared by every script compiled
    # together, so includes are compiled once and cycles are caught at run time.
    includes: dict[tuple[str, str], Script | None] = field(default_factory=dict)
    size: int = 0


class State:
    def __init__(self, message: MessageContext, env: Environment, limits: Limits) -> None:
        self.msg = message
        self.env = env
        self.limits = limits
        self.actions: list[Action] = []
        self.implicit_keep = True
        self.flags: list[str] = _flag_list(message.flags)  # RFC 5232 internal variable
        self.variables: dict[str, str] = {}
        self.globals: dict[str, str] = {}
        self.global_names: set[str] = set()
        self.match_vars: list[str] = []
        self.steps = 0
        self.redirects = 0
        self.log: list[str] = []
        self.script: Script | None = None
        self.stack: list[tuple[str, str]] = []
        self.once: set[tuple[str, str]] = set()

    # --- bookkeeping -------------------------------------------------------
    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.limits.max_steps:
            raise SieveRuntimeError(f"more than {self.limits.max_steps} evaluation steps")

    def has(self, ext: str) -> bool:
        return self.script is not None and ext in self.script.requires

    # --- strings and variables (RFC 5229 3) ---------------------------------
    def s(self, value: str) -> str:
        if not self.has("variables") or "${" not in value:
            return value
        out = expand(value, self.lookup)
        if len(out) > self.limits.max_string:
            raise SieveRuntimeError("string too long after variable expansion")
        return out

    def sl(self, values: Iterable[str]) -> list[str]:
        return [self.s(v) for v in values]

    def lookup(self, name: str) -> str:
        name = name.lower()
        if name.isdigit():
            i = int(name)
            return self.match_vars[i] if i < len(self.match_vars) else ""
        if name.startswith("global."):
            return self.globals.get(name[7:], "")
        if name in self.global_names:
            return self.globals.get(name, "")
        return self.variables.get(name, "")

    def assign(self, name: str, value: str) -> None:
        name = name.lower()
        if len(value) > self.limits.max_string:
            raise SieveRuntimeError("variable value too long")
        if name.startswith("global."):
            self.globals[name[7:]] = value
        elif name in self.global_names:
            self.globals[name] = value
        else:
            self.variables[name] = value

    def match(self, call: Call, values: list[str], keys: list[str]) -> bool:
        assert call.match is not None
        return match_any(call.match, values, keys, self.step, self._set_match_vars)

    def _set_match_vars(self, groups: list[str]) -> None:
        if self.has("variables"):  # RFC 5229 3.2: set by the last successful :matches
            self.match_vars = groups

    # --- actions (RFC 5228 2.10) ---------------------------------------------
    def add(self, action: Action, *, cancels_keep: bool, line: int) -> None:
        if isinstance(action, (Keep, FileInto, Vacation)) and any(
            isinstance(a, Reject) for a in self.actions
        ):
            raise SieveRuntimeError("reject cannot be combined with keep, fileinto or vacation", line)
        if isinstance(action, Reject) and any(
            isinstance(a, (Keep, FileInto, Vacation, Reject)) for a in self.actions
        ):
            raise SieveRuntimeError("reject cannot be combined with keep, fileinto, vacation or reject", line)
        if isinstance(action, Redirect):
            if any(isinstance(a, Redirect) and a.address.lower() == action.address.lower()
                   for a in self.actions):
                # RFC 5228 2.10.3: the same redirect twice is done once
                self.implicit_keep = self.implicit_keep and not cancels_keep
                return
            self.redirects += 1
            if self.redirects > self.limits.max_redirects:
                raise SieveRuntimeError(f"more than {self.limits.max_redirects} redirects", line)
        if isinstance(action, (Keep, FileInto)):
            # RFC 5228 4.1/2.10.3: storing into the same mailbox twice stores once;
            # the later flags win (RFC 5232 5).
            key = _target(action)
            for i, a in enumerate(self.actions):
                if isinstance(a, (Keep, FileInto)) and _target(a) == key:
                    self.actions[i] = _merge(a, action)
                    self.implicit_keep = self.implicit_keep and not cancels_keep
                    return
        if len(self.actions) >= self.limits.max_actions:
            raise SieveRuntimeError(f"more than {self.limits.max_actions} actions", line)
        self.actions.append(action)
        if cancels_keep:
            self.implicit_keep = False

    # --- execution ------------------------------------------------------------
    def run_nodes(self, nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            self.step()
            if isinstance(node, IfChain):
                for test, block in node.branches:
                    if test is None or self.test(test):
                        self.run_nodes(block)
                        break
            else:
                node.spec.run(self, node)

    def test(self, call: Call) -> bool:
        self.step()
        return bool(call.spec.run(self, call))

    def run_script(self, script: Script) -> None:
        saved = (self.script, self.variables, self.global_names)
        self.script = script
        self.variables = {}
        self.global_names = set()
        try:
            self.run_nodes(script.nodes)
        except Return:
            pass
        finally:
            self.script, self.variables, self.global_names = saved


def _target(a: Keep | FileInto) -> str:
    name = "INBOX" if isinstance(a, Keep) else a.mailbox
    return "INBOX" if name.upper() == "INBOX" else name


def _merge(old: Any, new: Any) -> Any:
    if isinstance(old, Keep) and isinstance(new, FileInto):
        return Keep(new.flags)
    if isinstance(old, FileInto) and isinstance(new, Keep):
        return Keep(new.flags)
    if isinstance(old, FileInto) and isinstance(new, FileInto):
        return FileInto(old.mailbox, new.flags, old.create or new.create, old.copy and new.copy)
    return new


def _flag_list(flags: Iterable[str]) -> list[str]:
    out: list[str] = []
    for f in flags:
        for part in f.split():
            if part.lower() not in (x.lower() for x in out):
                out.append(part)
    return out


flag_list = _flag_list
