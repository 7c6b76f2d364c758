"""A subject shouted in capitals."""

from __future__ import annotations

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

MIN_LETTERS = 10  # short all-caps subjects ("FYI", "URGENT: DB") are normal


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    subject = msg.header("subject") or ""
    letters = [c for c in subject if c.isalpha()]
    if len(letters) >= MIN_LETTERS and all(c.isupper() for c in letters):
        return [Hit("SUBJ_ALL_CAPS", settings.points("SUBJ_ALL_CAPS", 1.0), "subject is all capitals")]
    return []
