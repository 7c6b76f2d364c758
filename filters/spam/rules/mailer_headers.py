"""Headers as bulk software writes them: no mail client named, urgent priority, Outlook's priority
header without Outlook's other headers (SpamAssassin's MISSING_MIMEOLE idea)."""

from __future__ import annotations

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    found = []
    mailer = (msg.header("x-mailer") or "").lower()
    if not mailer and not msg.header("user-agent"):
        found.append(("NO_MAILER", "no X-Mailer or User-Agent"))
    if (msg.header("x-priority") or "").strip().startswith("1"):
        found.append(("PRIORITY_HIGH", "X-Priority 1"))
    if msg.header("x-msmail-priority") and not msg.header("x-mimeole") and "outlook" not in mailer:
        found.append(("MSMAIL_PRI_NO_OE", "X-MSMail-Priority without Outlook"))
    return [Hit(name, settings.points(name, 0.0), why) for name, why in found]
