"""Small extensions: reject/ereject (RFC 5429), mailbox (RFC 5490 3.1), spamtest,
spamtestplus and virustest (RFC 5235), and our vendor command vnd.postvak.comment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .plan import Comment, Reject
from .spec import MATCHING, Call, Spec, TagSpec, tags

if TYPE_CHECKING:
    from .runtime import State


def run_reject(state: State, call: Call) -> None:
    # RFC 5429 2.1/2.2: refuse delivery; ereject asks for a protocol-level refusal
    reason = state.s(call.args[0])
    state.add(Reject(reason, call.name == "ereject"), cancels_keep=True, line=call.line)


def run_mailboxexists(state: State, call: Call) -> bool:
    # RFC 5490 3.1: true only if every named mailbox exists (and could take mail)
    exists = state.msg.mailbox_exists
    names = state.sl(call.args[0])
    state.step(len(names))
    return exists is not None and all(exists(n) for n in names)


def run_spamtest(state: State, call: Call) -> bool:
    # RFC 5235 3.1: "0" when not tested, else 1..10; 3.2 :percent gives 0..100
    if call.tag(":percent"):
        pct = state.msg.spam_percent
        if pct is None and state.msg.spam_score is not None:
            pct = max(0, min(100, (state.msg.spam_score - 1) * 100 // 9))
        value = "0" if pct is None else str(max(0, min(100, pct)))
    else:
        score = state.msg.spam_score
        value = "0" if score is None else str(max(1, min(10, score)))
    return state.match(call, [value], [state.s(call.args[0])])


def run_virustest(state: State, call: Call) -> bool:
    # RFC 5235 3.3: "0" not tested, 1 clean ... 5 infected and not cleaned
    score = state.msg.virus_score
    value = "0" if score is None else str(max(1, min(5, score)))
    return state.match(call, [value], [state.s(call.args[0])])


def run_comment(state: State, call: Call) -> None:
    # vnd.postvak.comment: a note for the user; it does not cancel the implicit keep
    state.add(Comment(state.s(call.args[0])), cancels_keep=False, line=call.line)


SPECS = (
    Spec("reject", "command", run_reject, ext=("reject",), positional=("string",), action=True),
    Spec("ereject", "command", run_reject, ext=("ereject",), positional=("string",), action=True),
    Spec("mailboxexists", "test", run_mailboxexists, ext=("mailbox",), positional=("strings",)),
    Spec(
        "spamtest", "test", run_spamtest, ext=("spamtest", "spamtestplus"), positional=("string",),
        tags=tags(m=MATCHING, p={":percent": TagSpec(None, "percent", ("spamtestplus",))}),
    ),
    Spec("virustest", "test", run_virustest, ext=("virustest",), positional=("string",), tags=tags(m=MATCHING)),
    Spec("comment", "command", run_comment, ext=("vnd.postvak.comment",), positional=("string",), action=True),
)
