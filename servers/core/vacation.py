"""The out-of-office reply as one rule of the user's filter script, so every editor
sees the same thing: Roundcube and Thunderbird over ManageSieve, `postvak filter`,
and ActiveSync's Settings Oof (which calls these functions).

The rule is "Out of office" in the rules layout (filters/sieve/rules.py): a
`vacation` action (RFC 5230: once per sender per day, never to lists or bounces;
delivery never answers spam) under RFC 5260 `currentdate` tests for the start and
end. A disabled vacation stays in the script, disabled, so its text survives.

Both functions take a transaction (use them as store jobs: `runner.write(set_vacation,
account_id, ...)`) or a ServerContext, with which they return an awaitable that runs
the job through `ctx.runner`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from postvak.filters import sieve as engine
from postvak.filters.sieve.rules import (
    Condition,
    Rule,
    RuleAction,
    RuleFormatError,
    parse_rules,
    render_rules,
)
from postvak.store import sieve as store_sieve

RULE_NAME = "Out of office"  # the name servers/activesync/oof.py uses too
SCRIPT_NAME = "filters"  # the script created when the user has none (as `postvak filter`)


class NotRulesLayout(ValueError):
    """The active script is hand-written Sieve: it is not rewritten behind the user's back."""


@dataclass(frozen=True)
class Vacation:
    enabled: bool = False
    start: datetime | None = None  # UTC; None: from now
    end: datetime | None = None  # UTC; None: until switched off
    subject: str = ""
    text: str = ""


def set_vacation(tx_or_ctx: Any, account_id: int, *, enabled: bool, start: datetime | None = None,
                 end: datetime | None = None, subject: str = "", text: str = "") -> Any:
    """Write (or replace) the vacation rule, first in the active script. Returns the
    stored `Vacation`; with a ServerContext, an awaitable of it."""
    args = (account_id, enabled, _utc(start), _utc(end), subject, text)
    if hasattr(tx_or_ctx, "runner"):
        return tx_or_ctx.runner.write(_set, *args)
    return _set(tx_or_ctx, *args)


def get_vacation(tx_or_ctx: Any, account_id: int) -> Any:
    """The vacation rule as `Vacation` (disabled, empty when there is none or the
    script is hand-written); with a ServerContext, an awaitable of it."""
    if hasattr(tx_or_ctx, "runner"):
        return tx_or_ctx.runner.read(_get, account_id)
    return _get(tx_or_ctx, account_id)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # a naive time is taken as UTC, as ActiveSync sends it
        return value.replace(tzinfo=UTC, microsecond=0)
    return value.astimezone(UTC).replace(microsecond=0)


def _stamp(value: datetime) -> str:
    # The form ext_date's "iso8601" part has at zone +0000, so text order is time order.
    return value.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _set(tx: Any, account_id: int, enabled: bool, start: datetime | None, end: datetime | None,
         subject: str, text: str) -> Vacation:
    if start is not None and end is not None and end < start:
        raise ValueError("the vacation ends before it starts")
    script = store_sieve.active_script(tx, account_id)
    rules = _rules(script)
    conditions = []
    if start is not None:
        conditions.append(Condition("currentdate", "ge", _stamp(start)))
    if end is not None:
        conditions.append(Condition("currentdate", "le", _stamp(end)))
    reply = RuleAction("reply", text or "I am out of the office.", subject)
    rule = Rule(RULE_NAME, tuple(conditions), (reply,), "all", enabled)
    # First, so a rule that stops or discards cannot silence the reply.
    rules = [rule] + [r for r in rules if r.name != RULE_NAME]
    content = render_rules(rules)
    engine.compile(content)  # a rendering bug must fail here, not at delivery
    name = script.name if script is not None else SCRIPT_NAME
    store_sieve.put_script(tx, account_id, name, content)
    if script is None:
        store_sieve.activate(tx, account_id, name)
    return Vacation(enabled, start, end, subject, reply.arg)


def _get(tx: Any, account_id: int) -> Vacation:
    try:
        rules = _rules(store_sieve.active_script(tx, account_id))
    except NotRulesLayout:
        return Vacation()
    for rule in rules:
        if rule.name != RULE_NAME:
            continue
        reply = next((a for a in rule.actions if a.kind == "reply"), None)
        if reply is None:
            continue
        bounds = {c.op: _parse(c.value) for c in rule.conditions if c.field == "currentdate"}
        return Vacation(rule.enabled, bounds.get("ge"), bounds.get("le"), reply.subject, reply.arg)
    return Vacation()


def _rules(script: Any) -> list[Rule]:
    if script is None or not script.content.strip():
        return []
    try:
        rules = parse_rules(script.content)
    except RuleFormatError as exc:
        raise NotRulesLayout(f"script {script.name}: {exc}") from exc
    if not rules:
        raise NotRulesLayout(f"script {script.name} holds no rules")
    return rules


def _parse(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
