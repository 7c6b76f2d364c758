"""Free-mail senders and answers sent somewhere else than the sender (SpamAssassin's FREEMAIL_*)."""

from __future__ import annotations

from ..message import ParsedMessage, addresses, domain_of
from ..types import Hit, SpamContext, SpamSettings
from .domains import is_freemail, registrable


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    hits = []
    sender = addresses(msg.header("from"))
    from_domain = domain_of(sender[0][1]) if sender else ""
    if from_domain and is_freemail(from_domain):
        hits.append(Hit("FREEMAIL_FROM", settings.points("FREEMAIL_FROM", 0.0), f"From at {from_domain}"))
    reply = addresses(msg.header("reply-to"))
    reply_domain = domain_of(reply[0][1]) if reply else ""
    if reply_domain:
        if is_freemail(reply_domain):
            hits.append(Hit("FREEMAIL_REPLYTO", settings.points("FREEMAIL_REPLYTO", 0.0), f"Reply-To at {reply_domain}"))
        if from_domain and registrable(reply_domain) != registrable(from_domain):
            hits.append(Hit("REPLYTO_DIFFERS", settings.points("REPLYTO_DIFFERS", 0.0),
                            f"Reply-To {reply_domain} is not the sender's {from_domain}"))
    return hits
