"""Message-IDs that were made up: malformed (RFC 5322 3.6.4 wants <left@right>), or not of the form the
claimed mailer writes, or from the sender's own domain (a sign of a real mail system)."""

from __future__ import annotations

import re

from ..message import ParsedMessage, addresses, domain_of
from ..types import Hit, SpamContext, SpamSettings
from .domains import registrable

# Outlook and Outlook Express build ids as <12 hex digits $ 8 hex $ 8 hex @host>.
_OUTLOOK_ID = re.compile(r"(?i)<[0-9a-f]{12}\$[0-9a-f]{8}\$[0-9a-f]{8}@")


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    value = (msg.header("message-id") or "").strip()
    if not value:
        return []  # missing_headers covers it
    hits = []
    if "@" not in value or not value.startswith("<") or not value.endswith(">"):
        hits.append(Hit("MID_MALFORMED", settings.points("MID_MALFORMED", 0.0), "Message-ID is not <left@right>"))
    mailer = (msg.header("x-mailer") or "").lower()
    if "outlook" in mailer and not _OUTLOOK_ID.match(value):
        hits.append(Hit("MID_FORGED_OUTLOOK", settings.points("MID_FORGED_OUTLOOK", 0.0),
                        "X-Mailer claims Outlook but the Message-ID is not Outlook's"))
    sender = addresses(msg.header("from"))
    id_domain = domain_of(value)
    if sender and id_domain and registrable(id_domain) == registrable(domain_of(sender[0][1]) or "-"):
        hits.append(Hit("MID_SENDER_DOMAIN", settings.points("MID_SENDER_DOMAIN", 0.0),
                        "Message-ID from the sender's domain"))
    return hits
