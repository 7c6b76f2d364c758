"""Sender authentication results (SPF RFC 7208, DKIM RFC 6376, DMARC RFC 7489) computed by the caller."""

from __future__ import annotations

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

# (mechanism, result) -> (rule name, default points)
TABLE = {
    ("spf", "fail"): ("SPF_FAIL", 2.0),
    ("spf", "softfail"): ("SPF_SOFTFAIL", 1.0),
    ("spf", "permerror"): ("SPF_PERMERROR", 0.5),
    ("dkim", "fail"): ("DKIM_FAIL", 1.5),
    ("dmarc", "fail"): ("DMARC_FAIL", 3.0),
    ("dkim", "pass"): ("DKIM_PASS", -0.5),
}


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    hits = []
    for mechanism, result in (("spf", ctx.spf), ("dkim", ctx.dkim), ("dmarc", ctx.dmarc)):
        if result is None:
            continue
        entry = TABLE.get((mechanism, result.strip().lower()))
        if entry:
            name, points = entry
            hits.append(Hit(name, settings.points(name, points), f"{mechanism.upper()} {result}"))
    return hits
