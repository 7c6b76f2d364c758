"""The rules model: Roundcube's managesieve layout, round trips, enable/disable/move,
and that the rendered script does what the rules say."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.filters.sieve import Comment, Discard, FileInto, Redirect, Vacation, compile
from postvak.filters.sieve.rules import (
    Condition,
    Rule,
    RuleAction,
    RuleFormatError,
    move_rule,
    parse_rules,
    render_rules,
    set_enabled,
)

RULES = [
    Rule("Boss", (Condition("from", "contains", "boss@example.com"), Condition("size", "over", "100K")),
         (RuleAction("mark_read"), RuleAction("tag", "$Work"), RuleAction("move", "Work"), RuleAction("stop")),
         "any"),
    Rule("Lists", (Condition("list-id", "exists"),), (RuleAction("forward_copy", "archive@example.org"),)),
    Rule("Quote \"me\"", (Condition("subject", "not matches", 'a*"b\\'),),
         (RuleAction("comment", "odd subject"), RuleAction("reply", "I'm away", "Away"))),
    Rule("Off", (Condition("body", "contains", "casino"),), (RuleAction("delete"),), enabled=False),
    Rule("All", (), (RuleAction("forward", "me@elsewhere.org"),)),
]


def test_round_trip() -> None:
    text = render_rules(RULES)
    assert parse_rules(text) == RULES
    assert render_rules(parse_rules(text)) == text


def test_layout_is_roundcube_like() -> None:
    text = render_rules(RULES)
    assert text.startswith('require ["imap4flags", "fileinto", "copy", "vnd.postvak.comment", "vacation", "body"];')
    assert "# rule:[Boss]\nif anyof (header :contains \"from\" \"boss@example.com\", size :over 100K)\n{\n" in text
    assert '# rule:[Off]\nif false # allof (body :text :contains "casino")\n{\n\tdiscard;\n}\n' in text
    assert "# rule:[All]\nif true\n{" in text


def test_parses_a_roundcube_script() -> None:
    script = '''require ["fileinto","imap4flags"];
# rule:[spam]
if anyof (header :contains "subject" "viagra", header :is "x-spam-flag" "YES")
{
	fileinto "Junk";
	stop;
}
# rule:[disabled one]
if false # header :contains "from" "newsletter"
{
	addflag "\\\\Seen";
}
'''
    rules = parse_rules(script)
    assert rules == [
        Rule("spam", (Condition("subject", "contains", "viagra"), Condition("x-spam-flag", "is", "YES")),
             (RuleAction("move", "Junk"), RuleAction("stop")), "any"),
        Rule("disabled one", (Condition("from", "contains", "newsletter"),), (RuleAction("mark_read"),),
             "all", enabled=False),
    ]


def test_hand_written_scripts_are_refused() -> None:
    with pytest.raises(RuleFormatError):
        parse_rules('# rule:[x]\nif address :domain :is "from" "a.b" { keep; }')
    with pytest.raises(RuleFormatError):
        parse_rules('# rule:[x]\nif true { fileinto "a"; }\nkeep;')
    assert parse_rules("keep;") == []


def test_enable_disable_and_move() -> None:
    rules = set_enabled(RULES, 0, False)
    assert not parse_rules(render_rules(rules))[0].enabled
    rules = set_enabled(rules, 0, True)
    assert rules == RULES
    moved = move_rule(RULES, 4, 0)
    assert [r.name for r in moved] == ["All", "Boss", "Lists", 'Quote "me"', "Off"]
    assert parse_rules(render_rules(moved)) == moved


def test_rendered_rules_evaluate(run) -> None:
    script = render_rules(RULES)
    plan = run(script, {"From": "The Boss <boss@example.com>", "To": "me@example.com", "Subject": "x"})
    assert plan.actions == (FileInto("Work", frozenset({"\\Seen", "$Work"})),)
    plan = run(script, {"From": "a@b.org", "To": "me@example.com", "Subject": "a*\"b\\",
                        "List-Id": "<l>"}, body="casino night")
    assert plan.actions == (Redirect("archive@example.org", copy=True), Redirect("me@elsewhere.org"))
    plan = run(script, {"From": "a@b.org", "To": "me@example.com", "Subject": "hello"})
    kinds = [type(a) for a in plan.actions]
    assert kinds == [Comment, Vacation, Redirect]
    assert plan.actions[1].subject == "Away"
    # the disabled rule never discards
    assert all(not isinstance(a, Discard) for a in plan.actions)


_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n]"), max_size=20)
_cond = st.one_of(
    st.builds(Condition, st.sampled_from(["subject", "from", "x-a", "body"]),
              st.sampled_from(["contains", "is", "matches", "not contains", "not is", "not matches"]), _text),
    st.builds(Condition, st.sampled_from(["subject", "list-id"]), st.sampled_from(["exists", "not exists"])),
    st.builds(Condition, st.just("size"), st.sampled_from(["over", "under"]), st.sampled_from(["1K", "2M", "7"])),
)
_act = st.one_of(
    st.builds(RuleAction, st.sampled_from(["move", "tag", "comment", "forward", "forward_copy"]), _text),
    st.builds(RuleAction, st.just("reply"), _text, _text),
    st.builds(RuleAction, st.sampled_from(["delete", "mark_read", "stop"])),
)
_rule = st.builds(Rule, _text, st.lists(_cond, max_size=3).map(tuple),
                  st.lists(_act, max_size=4).map(lambda xs: tuple(
                      sorted(xs, key=lambda a: {"tag": 0, "mark_read": 0, "stop": 2}.get(a.kind, 1)))),
                  st.sampled_from(["all", "any"]), st.booleans())


@settings(max_examples=150, deadline=None)
@given(st.lists(_rule, max_size=4))
def test_round_trip_property(rules) -> None:
    # a single condition reads back as "all"; empty conditions too
    rules = [r if len(r.conditions) > 1 else Rule(r.name, r.conditions, r.actions, "all", r.enabled)
             for r in rules]
    rules = [r for r in rules if not any(a.kind == "tag" and a.arg.lower() == "\\seen" for a in r.actions)]
    assert parse_rules(render_rules(rules)) == rules
    compile(render_rules(rules))
