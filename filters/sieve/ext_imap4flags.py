"""RFC 5232 imap4flags: setflag, addflag, removeflag and hasflag on the internal
flags variable (or on a named variable, with "variables")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import SieveSyntaxError
from .spec import MATCHING, Call, Spec, tags
from .variables import valid_name

if TYPE_CHECKING:
    from .runtime import State


def _split(state: State, call: Call) -> tuple[str | None, list[str]]:
    if len(call.args) == 2:
        return state.s(call.args[0]), state.sl(call.args[1])
    return None, state.sl(call.args[0])


def _get(state: State, var: str | None) -> list[str]:
    from .runtime import flag_list

    return list(state.flags) if var is None else flag_list([state.lookup(var)])


def _put(state: State, var: str | None, flags: list[str]) -> None:
    if var is None:
        state.flags = flags
    else:
        state.assign(var, " ".join(flags))


def run_flags(state: State, call: Call) -> None:
    from .runtime import flag_list

    var, given = _split(state, call)
    new = flag_list(given)  # RFC 5232 3: each string may hold space-separated flags
    if call.name == "setflag":
        _put(state, var, new)
        return
    current = _get(state, var)
    lowered = {f.lower() for f in new}
    if call.name == "addflag":
        _put(state, var, flag_list(current + new))
    else:
        _put(state, var, [f for f in current if f.lower() not in lowered])


def run_hasflag(state: State, call: Call) -> bool:
    from .runtime import flag_list

    if len(call.args) == 2:
        values: list[str] = []
        for var in state.sl(call.args[0]):
            values.extend(flag_list([state.lookup(var)]))
    else:
        values = list(state.flags)
    keys = state.sl(call.args[-1])
    return state.match(call, values, keys)


def _check_variable(call: Call) -> None:
    if len(call.args) == 2:
        names = call.args[0] if isinstance(call.args[0], tuple) else (call.args[0],)
        for n in names:
            if "${" not in n and not valid_name(n):
                raise SieveSyntaxError(f"invalid variable name {n!r}", call.line)


SPECS = tuple(
    Spec(name, "command", run_flags, ext=("imap4flags",), positional=("string", "strings"),
         min_positional=1, check=_check_variable)
    for name in ("setflag", "addflag", "removeflag")
) + (
    Spec("hasflag", "test", run_hasflag, ext=("imap4flags",), positional=("strings", "strings"),
         min_positional=1, tags=tags(m=MATCHING), check=_check_variable),
)
