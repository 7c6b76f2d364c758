"""What the From looks like: generated local parts full of digits, no display name, list headers
(real lists and newsletters add List-Id / List-Unsubscribe and Precedence: bulk, RFC 2369, 2919)."""

from __future__ import annotations

from ..message import ParsedMessage, addresses
from ..types import Hit, SpamContext, SpamSettings

MANY_DIGITS = 3


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    found = []
    sender = addresses(msg.header("from"))
    if sender:
        name, addr = sender[0]
        if sum(c.isdigit() for c in addr.partition("@")[0]) >= MANY_DIGITS:
            found.append(("FROM_LOCAL_DIGITS", "digits in the sender's local part"))
        if not name:
            found.append(("FROM_NO_NAME", "From without a display name"))
    if msg.header("list-id") or msg.header("list-unsubscribe"):
        found.append(("LIST_HEADERS", "List-Id / List-Unsubscribe"))
    if (msg.header("precedence") or "").strip().lower() in ("bulk", "list", "junk"):
        found.append(("PRECEDENCE_BULK", "Precedence bulk/list/junk"))
    return [Hit(name, settings.points(name, 0.0), why) for name, why in found]
