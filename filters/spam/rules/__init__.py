"""Hand-written rules, one small module each; every rule is `check(msg, ctx, settings) -> list[Hit]`.

Points are SpamAssassin-sized nudges next to the Bayes score (0..10 by default):
only GTUBE decides on its own; most rules score 0 and only inform the models. Every hit, even one worth 0 points, also becomes a
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
    encoding,
    forged_from,
    freemail,
    gtube,
    html_only,
    html_style,
    link_domains,
    mailer_headers,
    message_id,
    missing_headers,
    money,
    obfuscation,
    phrases,
    recipients,
    sender_shape,
    subject_style,
    to_header,
    url_obfuscation,
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
    # Worth 0 points by default: they feed the learned models as rule: tokens, and
    # training decides how much each says (spam-1 vs ham hit rates, not hand tuning).
    freemail.check,
    link_domains.check,
    message_id.check,
    to_header.check,
    subject_style.check,
    phrases.check,
    money.check,
    html_style.check,
    encoding.check,
    obfuscation.check,
    mailer_headers.check,
    sender_shape.check,
    url_obfuscation.check,
    dnsbl.check,
)


def run_rules(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    hits: list[Hit] = []
    for rule in RULES:
        found = rule(msg, ctx, settings)
        if found:
            hits.extend(found)
    return hits
