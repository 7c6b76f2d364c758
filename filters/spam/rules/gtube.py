"""GTUBE: the Generic Test for Unsolicited Bulk Email, a fixed string that must always be spam.

Defined by SpamAssassin so administrators can test the whole path end to end.
"""

from __future__ import annotations

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

NAME = "GTUBE"
POINTS = 1000.0
GTUBE = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    # Looked for in the raw body too, so it works whatever the transfer encoding.
    if GTUBE in msg.body_bytes or GTUBE.decode() in msg.all_text:
        return [Hit(NAME, settings.points(NAME, POINTS), "GTUBE test string")]
    return []
