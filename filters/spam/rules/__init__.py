"""Hand-written rules, one small module each; every rule is `check(msg, ctx, settings) -> list[Hit]`.

Points are SpamAssassin-sized nudges next to the Bayes score (0..10 by default):
only GTUBE decides on its own. Every hit, even one worth 0 points, also becomes a
token for the Bayes classifier, which learns from training how much it really says. Each point value can be overridden by name
through `SpamSettings.rule_scores`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings
from . import (
    auth,
    bulk,
    caps_subject,
    date_skew,
    dnsbl,
    forged_from,
    gtube,
    html_only,
    missing_headers,
    recipients,
    urls,
)

Rule = Callable[[ParsedMessage, SpamContext, SpamSettings], list[Hit] | None]  # None: rule did not run

RULES: tuple[Rule, ...] = (
    gtube.check,
    auth.check,
    missing_headers.check,
    date_skew.check,
    forged_from.check,
    caps_subject.check,
    html_only.check,
    urls.check,
    recipients.check,
    bulk.check,
    dnsbl.check,
)


def run_rules(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    hits: list[Hit] = []
    for rule in RULES:
        found = rule(msg, ctx, settings)
        if found:
            hits.extend(found)
    return hits
