"""RFC 5228 base language: actions keep, discard, redirect, stop (3.3, 4) and tests
address, header, envelope, exists, size, true, false, not, allof, anyof (5);
fileinto (RFC 5228 4.1) with :copy (RFC 3894), :flags (RFC 5232) and :create (RFC 5490)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import addresses
from .errors import SieveRuntimeError
from .plan import Discard, FileInto, Keep, Redirect
from .spec import ADDRESS_PART, INDEX, MATCHING, Call, Spec, TagSpec, tags

if TYPE_CHECKING:
    from .runtime import State

FLAGS = {":flags": TagSpec("strings", "flags", ("imap4flags",))}
COPY = {":copy": TagSpec(None, "copy", ("copy",))}


def current_flags(state: State, call: Call) -> frozenset[str]:
    """RFC 5232 5: :flags given, else the internal variable's value."""
    from .runtime import flag_list

    given = call.tag(":flags")
    if given is not None:
        return frozenset(flag_list(state.sl(given)))
    return frozenset(state.flags)


def run_stop(state: State, call: Call) -> None:
    from .runtime import Stop

    raise Stop()


def run_keep(state: State, call: Call) -> None:
    state.add(Keep(current_flags(state, call)), cancels_keep=True, line=call.line)


def run_discard(state: State, call: Call) -> None:
    state.add(Discard(), cancels_keep=True, line=call.line)


def run_redirect(state: State, call: Call) -> None:
    address = state.s(call.args[0]).strip()
    local, domain = addresses.split(address)
    # RFC 5228 4.2: the address must be a syntactically valid addr-spec
    if not local or not domain or any(c in address for c in " \t\r\n<>,"):
        raise SieveRuntimeError(f"redirect: invalid address {address!r}", call.line)
    copy = bool(call.tag(":copy"))
    state.add(Redirect(address, copy), cancels_keep=not copy, line=call.line)


def run_fileinto(state: State, call: Call) -> None:
    mailbox = state.s(call.args[0])
    if not mailbox:
        raise SieveRuntimeError("fileinto: empty mailbox name", call.line)
    copy = bool(call.tag(":copy"))
    action = FileInto(mailbox, current_flags(state, call), bool(call.tag(":create")), copy)
    state.add(action, cancels_keep=not copy, line=call.line)


def indexed(values: list[str], call: Call) -> list[str]:
    """RFC 5260 6: :index N [:last] keeps only the Nth field (1-based)."""
    index = call.tag(":index")
    if index is None:
        return values
    if index < 1 or index > len(values):
        return []
    return [values[-index] if call.tag(":last") else values[index - 1]]


def run_header(state: State, call: Call) -> bool:
    values: list[str] = []
    for name in state.sl(call.args[0]):
        values.extend(indexed(state.msg.headers(name), call))
    return state.match(call, values, state.sl(call.args[1]))


def address_part(call: Call) -> str:
    for tag in ADDRESS_PART:
        if call.tag(tag):
            return tag
    return ":all"


def run_address(state: State, call: Call) -> bool:
    which = address_part(call)
    values: list[str] = []
    for name in state.sl(call.args[0]):
        for addr in addresses.header_addresses(indexed(state.msg.raw_headers(name), call)):
            p = addresses.part(addr, which, state.env.separator)
            if p is not None:
                values.append(p)
    return state.match(call, values, state.sl(call.args[1]))


def run_envelope(state: State, call: Call) -> bool:
    which = address_part(call)
    values: list[str] = []
    for name in state.sl(call.args[0]):
        name = name.lower()
        if name == "from":
            addr = state.msg.envelope_from
        elif name == "to":
            addr = state.msg.envelope_to
        else:
            raise SieveRuntimeError(f"envelope part {name!r} is not supported", call.line)
        addr = addr.strip().strip("<>")
        # RFC 5228 5.4: the null reverse-path is the empty string for every part
        p = "" if addr == "" else addresses.part(addr, which, state.env.separator)
        if p is not None:
            values.append(p)
    return state.match(call, values, state.sl(call.args[1]))


def run_exists(state: State, call: Call) -> bool:
    return all(state.msg.has_header(n) for n in state.sl(call.args[0]))


def run_size(state: State, call: Call) -> bool:
    limit = call.args[0]
    return state.msg.size > limit if call.tag(":over") else state.msg.size < limit


def run_true(state: State, call: Call) -> bool:
    return True


def run_false(state: State, call: Call) -> bool:
    return False


def run_not(state: State, call: Call) -> bool:
    return not state.test(call.tests[0])


def run_allof(state: State, call: Call) -> bool:
    return all(state.test(t) for t in call.tests)  # short-circuits (RFC 5228 5.2)


def run_anyof(state: State, call: Call) -> bool:
    return any(state.test(t) for t in call.tests)


SPECS = (
    Spec("stop", "command", run_stop),
    Spec("keep", "command", run_keep, tags=tags(f=FLAGS), action=True),
    Spec("discard", "command", run_discard, action=True),
    Spec("redirect", "command", run_redirect, positional=("string",), tags=tags(c=COPY), action=True),
    Spec(
        "fileinto", "command", run_fileinto, ext=("fileinto",), positional=("string",),
        tags=tags(c=COPY, f=FLAGS, m={":create": TagSpec(None, "create", ("mailbox",))}),
        action=True,
    ),
    Spec("header", "test", run_header, positional=("strings", "strings"), tags=tags(m=MATCHING, i=INDEX)),
    Spec(
        "address", "test", run_address, positional=("strings", "strings"),
        tags=tags(m=MATCHING, a=ADDRESS_PART, i=INDEX),
    ),
    Spec(
        "envelope", "test", run_envelope, ext=("envelope",), positional=("strings", "strings"),
        tags=tags(m=MATCHING, a=ADDRESS_PART),
    ),
    Spec("exists", "test", run_exists, positional=("strings",)),
    Spec(
        "size", "test", run_size, positional=("number",),
        tags=tags(s={":over": TagSpec(group="size"), ":under": TagSpec(group="size")}),
        required_groups=("size",),
    ),
    Spec("true", "test", run_true),
    Spec("false", "test", run_false),
    Spec("not", "test", run_not, tests="one"),
    Spec("allof", "test", run_allof, tests="list"),
    Spec("anyof", "test", run_anyof, tests="list"),
)
