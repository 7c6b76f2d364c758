"""Phrases of the sales pitch and of the removal promise that bulk mail carries.

From SpamAssassin's body rules: "click here", "reply with REMOVE in the subject",
"this is not spam", the US bill S.1618 that spammers cited to claim legality,
sales phrases, toll-free numbers. How many different sales phrases appear is
the signal: one may occur in any mail, five hardly outside an advertisement.
"""

from __future__ import annotations

import re

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

MAX_CHARS = 20_000  # the pitch and the removal line of bulk mail fit well inside this
MAX_SALES = 5
# The patterns are lower-case and run on lower-cased text: (?i) makes Python's regex
# engine three times slower, and this rule reads up to 50,000 characters of every message.
_REMOVE_BY_REPLY = re.compile(
    r"(?:reply|send|e-?mail)[^.\n]{0,60}\b(?:remove|unsubscribe|delete)\b[^.\n]{0,40}\b(?:subject|title)\b"
    r"|subject\s*(?:line)?\s*[:\"']*\s*\"?remove")
# Every other phrase family in one alternation: one pass over the text instead of five.
_PHRASES = re.compile(
    r"\b(?:(?P<click>click\s+(?:here|below|on\s+the\s+link))"
    r"|(?P<remove>to\s+(?:be\s+)?removed?|removal|remove\s+(?:me|yourself)|unsubscribe)"
    r"|(?P<notspam>this\s+(?:is\s+not|isn'?t)\s+(?:a\s+)?spam|not\s+(?:an?\s+)?(?:unsolicited|spam)|opt(?:ed)?[- ]in"
    r"|you\s+(?:are\s+receiving|received)\s+this|bill\s+s\.?\s*1618|section\s+301)"
    r"|(?P<sales>guaranteed?|risk[- ]free|no\s+obligation|money[- ]back|act\s+now|limited\s+time|order\s+(?:now|today)"
    r"|call\s+(?:now|today)|free\s+(?:gift|trial|info|quote|consultation)|100%\s+free|special\s+(?:offer|promotion)"
    r"|dear\s+(?:friend|sir|madam)|credit\s+card|no\s+cost|lowest\s+(?:price|rate)|work\s+(?:from|at)\s+home"
    r"|earn\s+\$|extra\s+income|mortgage|viagra|refinanc|debt|weight\s+loss|cash)"
    r"|(?P<tollfree>1?[-. ]?\(?8(?:00|88|77|66)[-). ]+\d{3}[-. ]\d{4}))\b")


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    text = msg.all_text[:MAX_CHARS].lower()
    seen: dict[str, set[str]] = {}
    for match in _PHRASES.finditer(text):
        seen.setdefault(match.lastgroup or "", set()).add(match.group())
    found = []
    if "click" in seen:
        found.append(("CLICK_HERE", "'click here'"))
    # The window regex is the costly one: run it only when a removal word is there at all.
    if ("remove" in text or "unsubscribe" in text or "delete" in text) and _REMOVE_BY_REPLY.search(text):
        found.append(("REMOVE_BY_REPLY", "removal by a reply with a keyword in the subject"))
    elif "remove" in seen:
        found.append(("REMOVE_LINE", "a removal / unsubscribe line"))
    if "notspam" in seen:
        found.append(("NOT_SPAM_CLAIM", "claims not to be spam / to be opted in"))
    sales = len(seen.get("sales", ()))
    if sales:
        found.append((f"SALES_PHRASES_{min(sales, MAX_SALES)}", f"{sales} different sales phrases"))
    if "tollfree" in seen:
        found.append(("TOLL_FREE", "a US toll-free number"))
    return [Hit(name, settings.points(name, 0.0), why) for name, why in found]
