"""Many recipients on one message (visible in To/Cc, or in the SMTP envelope)."""

from __future__ import annotations

from ..message import ParsedMessage, addresses
from ..types import Hit, SpamContext, SpamSettings


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    visible = sum(len(addresses(v)) for field in ("to", "cc") for v in msg.header_all(field))
    count = max(visible, len(ctx.recipients))
    if count >= settings.many_recipients:
        return [Hit("MANY_RCPTS", settings.points("MANY_RCPTS", 1.0), f"{count} recipients")]
    return []
