"""Postvak's Sieve engine (RFC 5228 and extensions): pure, no I/O.

    script = compile(text, loader=...)            # SieveSyntaxError(message, line)
    plan = evaluate(script, MessageContext(raw, envelope_from=..., envelope_to=...),
                    env=Environment(...), limits=Limits())
"""

from .context import Environment, Limits, MessageContext
from .engine import REGISTRY, SUPPORTED, Loader, compile, evaluate
from .errors import SieveRuntimeError, SieveSyntaxError
from .plan import Action, Comment, Discard, FileInto, Keep, Plan, Redirect, Reject, Vacation
from .runtime import Script
from .vacation import build_vacation_reply, refusal, vacation_key

__all__ = [
    "Action", "Comment", "Discard", "Environment", "FileInto", "Keep", "Limits", "Loader",
    "MessageContext", "Plan", "REGISTRY", "Redirect", "Reject", "SUPPORTED", "Script",
    "SieveRuntimeError", "SieveSyntaxError", "Vacation", "build_vacation_reply", "compile",
    "evaluate", "refusal", "vacation_key",
]
