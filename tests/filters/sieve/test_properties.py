"""Property tests: compile() raises only SieveSyntaxError; evaluate() never raises."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postvak.filters.sieve import (
    SUPPORTED,
    Limits,
    MessageContext,
    Plan,
    SieveSyntaxError,
    compile,
    evaluate,
)

WORDS = [
    "require", "if", "elsif", "else", "keep", "discard", "stop", "fileinto", "redirect",
    "header", "address", "envelope", "exists", "size", "allof", "anyof", "not", "true", "false",
    "set", "string", "vacation", "reject", "addflag", "hasflag", "body", "date", "currentdate",
    "include", "return", "global", "spamtest", "mailboxexists", "comment",
    ":is", ":contains", ":matches", ":value", ":count", ":comparator", ":over", ":under",
    ":days", ":flags", ":copy", ":create", ":index", ":last", ":zone", ":raw", ":text", ":content",
    '"gt"', '"i;ascii-numeric"', '"subject"', '"*a?b*"', '"${1}"', '"${x}"', '"${hex:41}"', "10K",
    "{", "}", "(", ")", "[", "]", ",", ";", "text:\n..x\n.\n", "# c\n", "/* c */", "\n",
    '["fileinto", "variables", "imap4flags", "relational", "date", "index", "body", "vacation",'
    ' "envelope", "reject", "include", "encoded-character", "comparator-i;ascii-numeric"]',
]

script_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join),
)

MESSAGE = MessageContext(
    b"From: a@b.c\r\nTo: me@example.com\r\nSubject: =?utf-8?q?x?=\r\nDate: nonsense\r\n\r\nbody\r\n",
    envelope_from="a@b.c", envelope_to="me@example.com", now=datetime(2020, 1, 1, tzinfo=UTC),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script_text)
def test_compile_raises_only_syntax_errors(text: str) -> None:
    try:
        script = compile(text, loader=lambda n, loc: text)
    except SieveSyntaxError as e:
        assert isinstance(e.line, int)
        return
    plan = evaluate(script, MESSAGE, limits=Limits(max_steps=5_000))
    assert isinstance(plan, Plan)
    if plan.errors:
        assert plan.implicit_keep and plan.actions == ()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.text(max_size=40), st.text(max_size=40))
def test_evaluate_never_raises_on_any_message(raw: bytes, sender: str, rcpt: str) -> None:
    script = compile('''require ["fileinto", "variables", "body", "date", "relational", "vacation",
      "envelope", "subaddress", "imap4flags", "index"];
    if header :matches "subject" "*" { set "s" "${1}"; }
    if address :detail :matches ["to", "from"] "*" { fileinto "${1}"; }
    if envelope :user :is "to" "me" { addflag "x"; }
    if body :content "text" :contains "x" { discard; }
    if date :value "gt" :index 1 "date" "julian" "0" { keep; }
    vacation :days 1 "away";''')
    plan = evaluate(script, MessageContext(raw, envelope_from=sender, envelope_to=rcpt))
    assert isinstance(plan, Plan)


def test_supported_extensions_all_compile() -> None:
    names = ", ".join(f'"{e}"' for e in sorted(SUPPORTED))
    compile(f"require [{names}];")
