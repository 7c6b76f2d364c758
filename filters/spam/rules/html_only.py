"""HTML with no plain-text alternative and hardly any words: typical of image spam."""

from __future__ import annotations

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

MIN_WORDS = 30


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    if not msg.has_html or msg.has_plain:
        return []
    hits = [Hit("HTML_ONLY", settings.points("HTML_ONLY", 0.0), "HTML without a text part")]
    if len(msg.html_text.split()) < MIN_WORDS:
        hits.append(Hit("HTML_LITTLE_TEXT", settings.points("HTML_LITTLE_TEXT", 1.0),
                        f"HTML only with fewer than {MIN_WORDS} words"))
    return hits
