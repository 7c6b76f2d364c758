"""RFC 5229 variables: the `set` command (4) and the `string` test (5)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import SieveSyntaxError
from .spec import MATCHING, Call, Spec, TagSpec, tags
from .variables import PRECEDENCE, apply_modifiers, valid_name

if TYPE_CHECKING:
    from .runtime import State

# One modifier per precedence level (RFC 5229 4.1): a group per level.
MODIFIERS = {name: TagSpec(None, f"modifier{level}") for name, level in PRECEDENCE.items()}


def run_set(state: State, call: Call) -> None:
    value = apply_modifiers(state.s(call.args[1]), [m for m in PRECEDENCE if call.tag(m)])
    state.assign(call.args[0], value)


def run_string(state: State, call: Call) -> bool:
    sources = state.sl(call.args[0])
    if call.match is not None and call.match.kind == ":count":
        sources = [s for s in sources if s]  # RFC 5229 5: :count ignores empty strings
    return state.match(call, sources, state.sl(call.args[1]))


def _check_set(call: Call) -> None:
    name = call.args[0]
    # RFC 5229 4: the name is a constant identifier (match variables are read-only)
    if not valid_name(name):
        raise SieveSyntaxError(f"invalid variable name {name!r}", call.line)
    if "." in name and not name.lower().startswith("global."):
        raise SieveSyntaxError(f"unknown variable namespace in {name!r}", call.line)


SPECS = (
    Spec("set", "command", run_set, ext=("variables",), positional=("string", "string"),
         tags=tags(m=MODIFIERS), check=_check_set),
    Spec("string", "test", run_string, ext=("variables",), positional=("strings", "strings"),
         tags=tags(m=MATCHING)),
)
