"""RFC 5173 body test: body [COMPARATOR] [MATCH-TYPE] [:raw / :content types / :text] keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .spec import MATCHING, Call, Spec, TagSpec, tags

if TYPE_CHECKING:
    from .runtime import State

TRANSFORM = {
    ":raw": TagSpec(None, "transform"),
    ":content": TagSpec("strings", "transform"),
    ":text": TagSpec(None, "transform"),
}


def run_body(state: State, call: Call) -> bool:
    if call.tag(":raw"):
        values = [state.msg.body_raw]
    elif call.tag(":content") is not None:
        values = state.msg.body_content(tuple(state.sl(call.tag(":content"))))
    else:
        values = list(state.msg.body_text)
    # Matching is linear in the body size: charge it to the step budget.
    state.step(sum(len(v) for v in values) // 4096)
    return state.match(call, values, state.sl(call.args[0]))


SPECS = (
    Spec("body", "test", run_body, ext=("body",), positional=("strings",), tags=tags(m=MATCHING, t=TRANSFORM)),
)
