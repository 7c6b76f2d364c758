"""RFC 5230 vacation and RFC 6131 vacation-seconds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .plan import Vacation
from .spec import Call, Spec, TagSpec, tags
from .vacation import default_handle, refusal

if TYPE_CHECKING:
    from .runtime import State

VACATION_TAGS = {
    ":days": TagSpec("number", "period"),
    ":seconds": TagSpec("number", "period", ("vacation-seconds",)),
    ":subject": TagSpec("string", "subject"),
    ":from": TagSpec("string", "from"),
    ":addresses": TagSpec("strings", "addresses"),
    ":mime": TagSpec(None, "mime"),
    ":handle": TagSpec("string", "handle"),
}


def run_vacation(state: State, call: Call) -> None:
    env = state.env
    if call.tag(":seconds") is not None:
        seconds = max(env.vacation_min_seconds_explicit, call.tag(":seconds"))
    else:
        days = call.tag(":days", 7)  # RFC 5230 4.1: default 7 days
        seconds = max(env.vacation_min_seconds, days * 86400)
    seconds = min(seconds, env.vacation_max_seconds)
    reason = state.s(call.args[0])
    subject = call.tag(":subject")
    subject = state.s(subject) if subject is not None else None
    from_ = call.tag(":from")
    from_ = state.s(from_) if from_ is not None else None
    extra = tuple(state.sl(call.tag(":addresses", ())))
    mime = bool(call.tag(":mime"))
    handle = call.tag(":handle")
    handle = state.s(handle) if handle is not None else default_handle(reason, subject, from_, mime)
    if any(isinstance(a, Vacation) for a in state.actions):
        return  # one reply per delivery
    recipient = state.msg.envelope_to.strip().strip("<>")
    own = (*env.user_addresses, recipient, *extra)
    why = refusal(state.msg, own, env.separator)
    if why is not None:
        state.log.append(f"vacation: no reply ({why})")
        return
    action = Vacation(handle, seconds, subject, from_, extra, reason, mime, recipient,
                      state.msg.envelope_from.strip().strip("<>"))
    state.add(action, cancels_keep=False, line=call.line)


SPECS = (
    Spec("vacation", "command", run_vacation, ext=("vacation", "vacation-seconds"),
         positional=("string",), tags=tags(v=VACATION_TAGS), action=True),
)
