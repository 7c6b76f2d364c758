"""How the subject sells: "!!!", "ADV" (the label some US states required on ads), prices, sales words,
and a tracking id pushed to the end after padding."""

from __future__ import annotations

import re

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

_ADV = re.compile(r"(?i)\badv\b")
_TRAILING_ID = re.compile(r"[\s_-]{3,}[A-Za-z0-9]{3,}$")  # headers arrive unfolded: runs of blanks are one space
_SALES = re.compile(r"(?i)\b(?:free|save|win|cash|money|guarantee|offer)|\d+\s?%")


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    subject = msg.header("subject") or ""
    if not subject:
        return []
    found = []
    if "!!" in subject or subject.rstrip().endswith("!"):
        found.append(("SUBJ_EXCLAIM", "subject ends in or repeats '!'"))
    if _ADV.search(subject):
        found.append(("SUBJ_ADV", "subject labelled ADV"))
    if "$" in subject:
        found.append(("SUBJ_DOLLAR", "price in the subject"))
    if _TRAILING_ID.search(subject):
        found.append(("SUBJ_TRAILING_ID", "padding and an id at the end of the subject"))
    if _SALES.search(subject):
        found.append(("SUBJ_SALES", "sales word in the subject"))
    return [Hit(name, settings.points(name, 0.0), why) for name, why in found]
