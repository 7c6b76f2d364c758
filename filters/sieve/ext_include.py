"""RFC 6609 include: include, return and global (shared variables)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import SieveRuntimeError, SieveSyntaxError
from .spec import Call, Spec, TagSpec, tags
from .variables import valid_name

if TYPE_CHECKING:
    from .runtime import State

INCLUDE_TAGS = {
    ":personal": TagSpec(None, "location"),
    ":global": TagSpec(None, "location"),
    ":once": TagSpec(None, "once"),
    ":optional": TagSpec(None, "optional"),
}


def location(call: Call) -> str:
    return "global" if call.tag(":global") else "personal"


def run_include(state: State, call: Call) -> None:
    assert state.script is not None
    key = (location(call), call.args[0])
    if call.tag(":once") and key in state.once:
        return  # RFC 6609 3.2: :once includes a script only the first time
    script = state.script.includes.get(key)
    if script is None:
        if call.tag(":optional"):
            return
        raise SieveRuntimeError(f"include: script {call.args[0]!r} not found", call.line)
    if key in state.stack:  # RFC 6609 3.2: recursion is an error
        raise SieveRuntimeError(f"include: {call.args[0]!r} includes itself", call.line)
    if len(state.stack) >= state.limits.max_include_depth:
        raise SieveRuntimeError("include: nested too deeply", call.line)
    state.once.add(key)
    state.stack.append(key)
    try:
        state.run_script(script)
    finally:
        state.stack.pop()


def run_return(state: State, call: Call) -> None:
    from .runtime import Return

    raise Return()


def run_global(state: State, call: Call) -> None:
    for name in call.args[0]:
        state.global_names.add(name.lower())


def _check_name(call: Call) -> None:
    name = call.args[0]
    # RFC 6609 3.2: a script name, constant, no path separators
    if not name or "/" in name or "${" in name or any(ord(c) < 32 for c in name):
        raise SieveSyntaxError(f"include: invalid script name {name!r}", call.line)


def _check_global(call: Call) -> None:
    for name in call.args[0]:
        if not valid_name(name) or "." in name:
            raise SieveSyntaxError(f"global: invalid variable name {name!r}", call.line)


SPECS = (
    Spec("include", "command", run_include, ext=("include",), positional=("string",),
         tags=tags(i=INCLUDE_TAGS), check=_check_name),
    Spec("return", "command", run_return, ext=("include",)),
    Spec("global", "command", run_global, ext=("include",), positional=("strings",), check=_check_global),
)
