"""Who the message says it is for: nobody, "undisclosed recipients", or the sender themself."""

from __future__ import annotations

from ..message import ParsedMessage, addresses
from ..types import Hit, SpamContext, SpamSettings


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    to = msg.header("to")
    if not to:
        return [Hit("TO_MISSING", settings.points("TO_MISSING", 0.0), "no To header")]
    if "undisclosed" in to.lower() or to.strip().endswith(":;"):
        return [Hit("TO_UNDISCLOSED", settings.points("TO_UNDISCLOSED", 0.0), "To is an empty group")]
    sender = addresses(msg.header("from"))
    first = addresses(to)
    if sender and first and first[0][1] == sender[0][1]:
        return [Hit("TO_EQ_FROM", settings.points("TO_EQ_FROM", 0.0), "To is the sender")]
    return []
