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
# engine three times slower, and this rule reads up to 20,000 characters of every message.
# Each alternative starts with its own literal so the engine skips ahead to r, s and m (where a
# leading group would have it try every position); a match exists exactly when one of
# (?:reply|send|e-?mail)<window>|subject\s*(?:line)?\s*[:"']*\s*"?remove matches.
_WINDOW = r"[^.\n]{0,60}\b(?:remove|unsubscribe|delete)\b[^.\n]{0,40}\b(?:subject|title)\b"
_REMOVE_BY_REPLY = re.compile(
    rf"reply{_WINDOW}|send{_WINDOW}|mail(?:(?<=email)|(?<=e-mail)){_WINDOW}"
    r"|subject\s*(?:line)?\s*[:\"']*\s*\"?remove")
# The phrase families, each a list of alternatives in the order they are tried.
_FAMILIES = (
    ("click", (r"click\s+(?:here|below|on\s+the\s+link)",)),
    ("remove", (r"to\s+(?:be\s+)?removed?", "removal", r"remove\s+(?:me|yourself)", "unsubscribe")),
    ("notspam", (r"this\s+(?:is\s+not|isn'?t)\s+(?:a\s+)?spam", r"not\s+(?:an?\s+)?(?:unsolicited|spam)", r"opt(?:ed)?[- ]in",
                 r"you\s+(?:are\s+receiving|received)\s+this", r"bill\s+s\.?\s*1618", r"section\s+301")),
    ("sales", (r"guaranteed?", r"risk[- ]free", r"no\s+obligation", r"money[- ]back", r"act\s+now", r"limited\s+time",
               r"order\s+(?:now|today)", r"call\s+(?:now|today)", r"free\s+(?:gift|trial|info|quote|consultation)",
               r"100%\s+free", r"special\s+(?:offer|promotion)", r"dear\s+(?:friend|sir|madam)", r"credit\s+card",
               r"no\s+cost", r"lowest\s+(?:price|rate)", r"work\s+(?:from|at)\s+home", r"earn\s+\$", r"extra\s+income",
               "mortgage", "viagra", "refinanc", "debt", r"weight\s+loss", "cash")),
)
_TOLL_FREE = re.compile(r"\b1?[-. ]?\(?8(?:00|88|77|66)[-). ]+\d{3}[-. ]\d{4}\b")
_TOLL_FREE_PREFIXES = ("800", "888", "877", "866")


def _word_phrases() -> re.Pattern[str]:
    """One pattern for every family: the non-word character before the phrase (what a word
    boundary before a letter means), then the alternatives grouped by first letter in their order, each ending in
    an empty group named after its family. The engine skips ahead to non-word characters and
    tries a handful of alternatives there, where one group per family behind a word boundary
    was tried at every position through every family (2.5x slower); the phrases are the same."""
    by_first: dict[str, list[str]] = {}
    for family, alternatives in _FAMILIES:
        for i, alternative in enumerate(alternatives):
            by_first.setdefault(alternative[0], []).append(f"{alternative[1:]}(?P<{family}_{i}>)")
    return re.compile(r"\W(?:" + "|".join(f"{c}(?:{'|'.join(rest)})" for c, rest in by_first.items()) + r")\b")


_PHRASES = _word_phrases()
# The same on ASCII text, where \W, \s and \b mean what they mean in Unicode but the engine
# tests a character with one table look-up (260 -> 185 us on 20,000 chars).
_PHRASES_ASCII = re.compile(_PHRASES.pattern, re.ASCII)


def phrases(text: str) -> dict[str, set[str]]:
    """family -> its distinct phrases in text (lower-case): what one finditer over all families gave."""
    seen: dict[str, set[str]] = {}
    padded = " " + text  # so a phrase at the start has its non-word character
    pos = 0
    search = (_PHRASES_ASCII if text.isascii() else _PHRASES).search
    while match := search(padded, pos):
        seen.setdefault((match.lastgroup or "").partition("_")[0], set()).add(match.group()[1:])
        # The next phrase may start right after this one (the original's scan went on from
        # there), so its non-word character may be this match's last.
        pos = match.end() - 1
    # A toll-free number holds no letter and starts where no phrase can (phrases start with a
    # letter or "100%"), so the two never overlap: it is scanned on its own, and only when
    # one of its prefixes is there at all.
    if any(prefix in text for prefix in _TOLL_FREE_PREFIXES):
        for match in _TOLL_FREE.finditer(text):
            seen.setdefault("tollfree", set()).add(match.group())
    return seen


def removal_by_reply(text: str) -> bool:
    # The window regex is the costly one: run it only when a removal word and the word for the
    # subject are there at all (every match holds "subject" or "title").
    return (("remove" in text or "unsubscribe" in text or "delete" in text) and ("subject" in text or "title" in text)
            and _REMOVE_BY_REPLY.search(text) is not None)


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    text = msg.all_text[:MAX_CHARS].lower()
    seen = phrases(text)
    found = []
    if "click" in seen:
        found.append(("CLICK_HERE", "'click here'"))
    if removal_by_reply(text):
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
