"""The filter rules users edit, stored as one Sieve script in Roundcube's
managesieve layout, so Roundcube and Thunderbird editors read the same script:

    # rule:[name]
    if allof (header :contains "subject" "x", ...)      # or anyof / true
    {
        fileinto "Folder";
        stop;
    }

A disabled rule is written `if false # allof (...)`, as Roundcube does, so it never
matches but keeps its conditions. Actions map to Sieve like this:

    move        fileinto "<folder>"               tag        addflag "<keyword>"
    mark_read   addflag "\\\\Seen"                   comment    comment "<text>" (vnd.postvak.comment)
    forward     redirect "<address>"              forward_copy redirect :copy "<address>"
    reply       vacation :days 1 [:subject "<s>"] "<text>" (Roundcube's "reply with message";
                RFC 5230 keeps it loop-safe and once a day per sender)
    delete      discard                            stop       stop

A condition on field "currentdate" with op "ge" or "le" is an RFC 5260 date test
(vacation between dates): a value "YYYY-MM-DD" compares the "date" part, a full
RFC 3339 time in UTC ("2030-01-01T09:00:00+00:00") the "iso8601" part, both at
zone +0000 so the text order is the time order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .errors import SieveSyntaxError
from .nodes import CommandNode, Num, Str, StrList, Tag, TestNode
from .parser import parse

OPS = ("contains", "is", "matches", "not contains", "not is", "not matches",
       "exists", "not exists", "over", "under")
ACTIONS = ("move", "tag", "mark_read", "comment", "forward", "forward_copy", "reply", "delete", "stop")


class RuleFormatError(ValueError):
    """The script is not in the rules layout (hand-written Sieve): edit it as text."""


@dataclass(frozen=True)
class Condition:
    field: str  # a header name, "body" or "size"
    op: str  # one of OPS; "over"/"under" for size, value like "100K"
    value: str = ""


@dataclass(frozen=True)
class RuleAction:
    kind: str  # one of ACTIONS
    arg: str = ""  # folder, keyword, comment, address or reply text
    subject: str = ""  # reply only


@dataclass(frozen=True)
class Rule:
    name: str
    conditions: tuple[Condition, ...] = ()
    actions: tuple[RuleAction, ...] = ()
    match: str = "all"  # "all" (allof) or "any" (anyof)
    enabled: bool = True


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _test(c: Condition) -> str:
    if c.field == "currentdate":
        part = "date" if len(c.value) == 10 else "iso8601"
        return f'currentdate :zone "+0000" :value {_q(c.op)} "{part}" {_q(c.value)}'
    if c.op in ("over", "under"):
        return f"size :{c.op} {c.value}"
    neg, op = ("not ", c.op[4:]) if c.op.startswith("not ") else ("", c.op)
    if op == "exists":
        return f"{neg}exists {_q(c.field)}"
    if c.field.lower() == "body":
        return f"{neg}body :text :{op} {_q(c.value)}"
    return f"{neg}header :{op} {_q(c.field)} {_q(c.value)}"


def _action(a: RuleAction) -> str:
    if a.kind == "move":
        return f"fileinto {_q(a.arg)};"
    if a.kind == "tag":
        return f"addflag {_q(a.arg)};"
    if a.kind == "mark_read":
        return 'addflag "\\\\Seen";'
    if a.kind == "comment":
        return f"comment {_q(a.arg)};"
    if a.kind == "forward":
        return f"redirect {_q(a.arg)};"
    if a.kind == "forward_copy":
        return f"redirect :copy {_q(a.arg)};"
    if a.kind == "reply":
        subject = f":subject {_q(a.subject)} " if a.subject else ""
        return f"vacation :days 1 {subject}{_q(a.arg)};"
    if a.kind == "delete":
        return "discard;"
    if a.kind == "stop":
        return "stop;"
    raise ValueError(f"unknown action {a.kind!r}")


_NEEDS = {"move": "fileinto", "tag": "imap4flags", "mark_read": "imap4flags", "comment": "vnd.postvak.comment",
          "forward_copy": "copy", "reply": "vacation"}


def render_rules(rules: list[Rule]) -> str:
    needs: list[str] = []
    for r in rules:
        wanted = [_NEEDS.get(a.kind) for a in r.actions]
        wanted += ["body" for c in r.conditions if c.field.lower() == "body" and "exists" not in c.op]
        wanted += [n for c in r.conditions if c.field == "currentdate" for n in ("date", "relational")]
        for n in wanted:
            if n and n not in needs:
                needs.append(n)
    out = [f"require [{', '.join(_q(n) for n in needs)}];\n"] if needs else []
    for r in rules:
        if "]" in r.name or "\n" in r.name:
            raise ValueError("a rule name cannot contain ']' or a line break")
        if r.conditions:
            joiner = "allof" if r.match == "all" else "anyof"
            test = f"{joiner} ({', '.join(_test(c) for c in r.conditions)})"
        else:
            test = "true"
        head = f"if {test}" if r.enabled else f"if false # {test}"
        # Flags first: fileinto stores the flags set *before* it (RFC 5232 5), and a
        # user who picks "move" and "mark read" means both; stop last.
        ordered = sorted(r.actions, key=lambda a: {"tag": 0, "mark_read": 0, "stop": 2}.get(a.kind, 1))
        body = "".join(f"\t{_action(a)}\n" for a in ordered)
        out.append(f"# rule:[{r.name}]\n{head}\n{{\n{body}}}\n")
    return "".join(out)


_RULE = re.compile(r"^# rule:\[(.*)\][ \t]*\r?$", re.M)
_DISABLED = re.compile(r"^(\s*if\s+)false\s+#\s*(.*)$", re.M)


def parse_rules(script_text: str) -> list[Rule]:
    """The rules of a script written by render_rules (or Roundcube)."""
    marks = list(_RULE.finditer(script_text))
    rules = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(script_text)
        chunk = script_text[m.end():end]
        enabled = True
        d = _DISABLED.search(chunk)
        if d and not chunk[: d.start()].strip():
            enabled = False
            chunk = chunk[: d.start()] + d.group(1) + d.group(2) + chunk[d.end():]
        try:
            commands = parse(chunk)
        except SieveSyntaxError as e:
            raise RuleFormatError(f"rule {m.group(1)!r}: {e}") from None
        if len(commands) != 1 or commands[0].name != "if" or commands[0].block is None:
            raise RuleFormatError(f"rule {m.group(1)!r}: expected one if block")
        cmd = commands[0]
        match, conditions = _conditions(cmd.tests[0] if cmd.tests else None, m.group(1))
        actions = tuple(_parse_action(c, m.group(1)) for c in cmd.block or ())
        rules.append(Rule(m.group(1), conditions, actions, match, enabled))
    return rules


def _conditions(test: TestNode | None, name: str) -> tuple[str, tuple[Condition, ...]]:
    if test is None:
        raise RuleFormatError(f"rule {name!r}: missing test")
    if test.name == "true":
        return "all", ()
    if test.name in ("allof", "anyof"):
        return ("all" if test.name == "allof" else "any"), tuple(_condition(t, name) for t in test.tests)
    return "all", (_condition(test, name),)


def _strs(arg: object) -> str:
    if isinstance(arg, Str):
        return arg.value
    if isinstance(arg, StrList) and len(arg.values) == 1:
        return arg.values[0]
    raise RuleFormatError("expected a single string")


def _condition(t: TestNode, name: str) -> Condition:
    neg = ""
    if t.name == "not" and t.tests:
        neg, t = "not ", t.tests[0]
    tags = [a.name[1:] for a in t.args if isinstance(a, Tag)]
    rest = [a for a in t.args if not isinstance(a, Tag)]
    try:
        if t.name == "currentdate" and not neg and "value" in tags and len(rest) >= 3:
            # rest: [zone if any], relation, date part, value (RFC 5260 5)
            relation, part, value = _strs(rest[-3]), _strs(rest[-2]), _strs(rest[-1])
            if relation in ("ge", "le") and part in ("date", "iso8601"):
                return Condition("currentdate", relation, value)
        if t.name == "size" and not neg and len(rest) == 1 and isinstance(rest[0], Num):
            return Condition("size", tags[0], _size(rest[0].value))
        if t.name == "exists" and len(rest) == 1:
            return Condition(_strs(rest[0]), neg + "exists")
        op = next((x for x in tags if x in ("contains", "is", "matches")), "is")
        if t.name == "header" and len(rest) == 2:
            return Condition(_strs(rest[0]), neg + op, _strs(rest[1]))
        if t.name == "body" and len(rest) == 1:
            return Condition("body", neg + op, _strs(rest[0]))
    except (RuleFormatError, IndexError):
        pass
    raise RuleFormatError(f"rule {name!r}: condition {t.name!r} is not editable as a rule")


def _size(n: int) -> str:
    for unit, q in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n and n % q == 0:
            return f"{n // q}{unit}"
    return str(n)


def _parse_action(c: CommandNode, name: str) -> RuleAction:
    tags = {a.name: i for i, a in enumerate(c.args) if isinstance(a, Tag)}
    strs = [a for a in c.args if isinstance(a, (Str, StrList))]
    try:
        if c.name == "fileinto":
            return RuleAction("move", _strs(strs[-1]))
        if c.name == "addflag":
            flag = _strs(strs[-1])
            return RuleAction("mark_read") if flag.lower() == "\\seen" else RuleAction("tag", flag)
        if c.name == "comment":
            return RuleAction("comment", _strs(strs[-1]))
        if c.name == "redirect":
            return RuleAction("forward_copy" if ":copy" in tags else "forward", _strs(strs[-1]))
        if c.name == "vacation":
            subject = ""
            if ":subject" in tags:
                subject = _strs(c.args[tags[":subject"] + 1])
            return RuleAction("reply", _strs(strs[-1]), subject)
        if c.name == "discard":
            return RuleAction("delete")
        if c.name == "stop":
            return RuleAction("stop")
    except (RuleFormatError, IndexError):
        pass
    raise RuleFormatError(f"rule {name!r}: action {c.name!r} is not editable as a rule")


def set_enabled(rules: list[Rule], index: int, enabled: bool) -> list[Rule]:
    out = list(rules)
    out[index] = replace(out[index], enabled=enabled)
    return out


def move_rule(rules: list[Rule], src: int, dst: int) -> list[Rule]:
    """Rules run in order: moving one changes which matches first."""
    out = list(rules)
    out.insert(dst, out.pop(src))
    return out
