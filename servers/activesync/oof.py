"""Out-of-office ([MS-ASCMD] 2.2.3.119 Oof) as the user's vacation rule.

The reply lives where every other client edits it: a rule "Out of office" in the
active Sieve script in the rules layout (filters/sieve/rules.py, Roundcube's), with
a `vacation` action; the ActiveSync details (state, dates, per-audience texts) are
kept beside it in the state table so Get answers what the device set. Each
function takes a transaction and is made of store.sieve/state calls only.
"""

from __future__ import annotations

from typing import Any

from postvak.filters.sieve.rules import Rule, RuleAction, RuleFormatError, parse_rules, render_rules
from postvak.servers.activesync import state
from postvak.store import sieve

RULE_NAME = "Out of office"
SCRIPT_NAME = "postvak"
KEY = "oof"


class NotRulesLayout(Exception):
    """The active script is hand-written Sieve: we will not rewrite it."""


def get_oof(tx: Any, account_id: int) -> dict[str, Any]:
    saved = state.get(tx, account_id, KEY)
    if saved:
        return saved
    script = sieve.active_script(tx, account_id)
    if script is not None:
        try:
            for rule in parse_rules(script.content):
                if rule.name == RULE_NAME and rule.enabled:
                    text = next((a.arg for a in rule.actions if a.kind == "reply"), "")
                    return {"state": 1, "start": None, "end": None, "reply": text}
        except RuleFormatError:
            pass
    return {"state": 0, "start": None, "end": None, "reply": ""}


def set_oof(tx: Any, account_id: int, oof: dict[str, Any]) -> None:
    script = sieve.active_script(tx, account_id)
    name = script.name if script is not None else SCRIPT_NAME
    try:
        rules = parse_rules(script.content) if script is not None and script.content.strip() else []
    except RuleFormatError as exc:
        raise NotRulesLayout(str(exc)) from exc
    if script is not None and script.content.strip() and not rules:
        raise NotRulesLayout("the active script holds no rules")
    rules = [r for r in rules if r.name != RULE_NAME]
    if oof.get("reply") or oof["state"]:
        vacation = Rule(RULE_NAME, (), (RuleAction("reply", oof.get("reply") or "I am out of the office.",
                                                   "Out of office"),), "all", bool(oof["state"]))
        rules.insert(0, vacation)  # before rules that stop or discard
    sieve.put_script(tx, account_id, name, render_rules(rules))
    if script is None:
        sieve.activate(tx, account_id, name)
    state.put(tx, account_id, KEY, oof)
