"""compile() and evaluate(): the two entry points of the Sieve engine."""

from __future__ import annotations

from collections.abc import Callable

from . import (
    ext_body,
    ext_core,
    ext_date,
    ext_imap4flags,
    ext_include,
    ext_simple,
    ext_vacation,
    ext_variables,
)
from .context import Environment, Limits, MessageContext
from .errors import SieveRuntimeError, SieveSyntaxError
from .parser import parse
from .plan import Plan
from .runtime import Return, Script, State, Stop
from .spec import Spec
from .validate import Validator

SUPPORTED: frozenset[str] = frozenset({
    "fileinto", "reject", "ereject", "envelope", "encoded-character",
    "comparator-i;octet", "comparator-i;ascii-casemap", "comparator-i;ascii-numeric",
    "imap4flags", "copy", "body", "vacation", "vacation-seconds", "variables",
    "subaddress", "relational", "date", "index", "mailbox", "spamtest", "spamtestplus",
    "virustest", "include", "vnd.postvak.comment",
})

REGISTRY: dict[str, Spec] = {
    spec.name: spec
    for module in (ext_core, ext_simple, ext_imap4flags, ext_variables, ext_body, ext_date,
                   ext_vacation, ext_include)
    for spec in module.SPECS
}

# loader(name, location) -> script text or None; location is "personal" or "global".
Loader = Callable[[str, str], str | None]


def compile(  # noqa: A001 - the public name the delivery layer uses
    text: str,
    *,
    loader: Loader | None = None,
    extensions: frozenset[str] = SUPPORTED,
    limits: Limits | None = None,
    name: str = "",
) -> Script:
    """Parse and validate a script; raises SieveSyntaxError(message, line)."""
    limits = limits or Limits()
    includes: dict[tuple[str, str], Script | None] = {}
    script = _compile(text, name, loader, frozenset(extensions), limits, includes, [("personal", name)])
    if name:
        includes.setdefault(("personal", name), script)
    return script


def _compile(
    text: str,
    name: str,
    loader: Loader | None,
    extensions: frozenset[str],
    limits: Limits,
    includes: dict[tuple[str, str], Script | None],
    loading: list[tuple[str, str]],
) -> Script:
    if not isinstance(text, str):
        raise SieveSyntaxError("script must be text")
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > limits.max_script_size:
        raise SieveSyntaxError(f"script larger than {limits.max_script_size} bytes")

    def include(location: str, target: str, line: int) -> None:
        key = (location, target)
        if key in includes or key in loading:
            return  # compiled already, or a cycle: reported when it runs
        if len(loading) > limits.max_include_depth:
            raise SieveSyntaxError("includes nested too deeply", line)
        try:
            source = loader(target, location) if loader is not None else None
        except Exception:
            source = None  # RFC 6609 3.2: a missing script is a runtime matter
        if source is None:
            includes[key] = None
            return
        loading.append(key)
        try:
            includes[key] = _compile(source, target, loader, extensions, limits, includes, loading)
        except SieveSyntaxError as e:
            raise SieveSyntaxError(f"in included script {target!r}: {e}", line) from None
        finally:
            loading.pop()

    nodes, requires = Validator(REGISTRY, extensions, include).script(parse(text))
    return Script(nodes, requires, name, includes, size)


def evaluate(
    script: Script,
    message: MessageContext,
    *,
    env: Environment | None = None,
    limits: Limits | None = None,
) -> Plan:
    """Run a compiled script against a message. Never raises: a runtime error gives
    the implicit keep and the reason in plan.errors (RFC 5228 2.10.6)."""
    state = State(message, env or Environment(), limits or Limits())
    try:
        try:
            state.run_script(script)
        except (Stop, Return):
            pass
    except SieveRuntimeError as e:
        return _failed(state, str(e))
    except RecursionError:
        return _failed(state, "script nested too deeply")
    except Exception as e:  # a bug must not lose mail
        return _failed(state, f"internal error: {type(e).__name__}: {e}")
    return Plan(tuple(state.actions), state.implicit_keep, frozenset(state.flags), (), tuple(state.log))


def _failed(state: State, reason: str) -> Plan:
    return Plan((), True, frozenset(state.flags), (reason,), tuple(state.log))
