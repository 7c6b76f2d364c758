"""Big money and percentage claims ("$50,000", "3 million dollars", "save 75%")."""

from __future__ import annotations

import re

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

MAX_CHARS = 50_000
MANY_PERCENT = 3
# Each pattern starts with the character it needs ("$" or a digit, with \b as a lookbehind) so the
# regex engine skips ahead to it instead of trying every position of 50,000 chars (a leading
# \b or alternation defeats that): the matches are those of the single patterns they replace,
# (?i)\$\s?\d{1,3}(?:,\d{3})+|\$\s?\d+\s?(?:million|thousand|k)\b|\b\d+(?:,\d{3})*\s+dollars\b.
_BIG_MONEY_SIGN = re.compile(r"(?i)\$\s?\d{1,3}(?:,\d{3})+|\$\s?\d+\s?(?:million|thousand|k)\b")
_BIG_MONEY_WORD = re.compile(r"(?i)\d(?<!\w\d)\d*(?:,\d{3})*\s+dollars\b")
# Counted from each "%" (a literal the engine jumps to) by looking back: one match per "%" that
# \b\d{2,3}\s?% ends at, so as many as that pattern finds (each of its matches holds one "%").
_PERCENT = re.compile(r"%(?:(?<=(?<!\w)\d\d%)|(?<=(?<!\w)\d\d\d%)|(?<=(?<!\w)\d\d\s%)|(?<=(?<!\w)\d\d\d\s%))")


def big_money(text: str) -> bool:
    """Whether the one pattern the two above replace matches."""
    if "$" in text and _BIG_MONEY_SIGN.search(text):
        return True
    # The word pattern is tried at every digit: only when "dollar" is there in any case
    # (no other character lower-cases to one of its letters; "dollar\u017f" still passes).
    return ("dollars" in text or "dollar" in text.lower()) and _BIG_MONEY_WORD.search(text) is not None


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    text = msg.all_text[:MAX_CHARS]
    hits = []
    if "$" in text or "dollars" in text:
        if big_money(text):
            hits.append(Hit("MONEY_BIG", settings.points("MONEY_BIG", 0.0), "large sum of money"))
    if "%" in text:
        count = len(_PERCENT.findall(text))
        if count >= MANY_PERCENT:
            hits.append(Hit("PERCENT_MANY", settings.points("PERCENT_MANY", 0.0), f"{count} percentages"))
        elif count:
            hits.append(Hit("PERCENT_CLAIM", settings.points("PERCENT_CLAIM", 0.0), "a percentage"))
    return hits
