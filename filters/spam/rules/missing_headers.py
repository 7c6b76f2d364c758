"""Date and Message-ID are required or expected of every originator (RFC 5322 3.6)."""

from __future__ import annotations

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    hits = []
    # RFC 5322 3.6: the origination date is mandatory.
    if not msg.header("date"):
        hits.append(Hit("MISSING_DATE", settings.points("MISSING_DATE", 1.0), "no Date header"))
    # RFC 5322 3.6.4: Message-ID SHOULD be present; bulk tools often omit it.
    if not msg.header("message-id"):
        hits.append(Hit("MISSING_MID", settings.points("MISSING_MID", 0.5), "no Message-ID header"))
    return hits
