"""Links dressed to hide where they go: user@host authorities ("http://bank.example@evil.example/")
and percent-encoded host names."""

from __future__ import annotations

import re

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

MAX_URLS = 50
_AUTHORITY = re.compile(r"(?i)^[a-z][a-z0-9+.-]*://([^/?#]*)")


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    at_host = encoded = False
    for url in msg.urls[:MAX_URLS]:
        match = _AUTHORITY.match(url)
        if match:
            at_host = at_host or "@" in match.group(1)
            encoded = encoded or "%" in match.group(1)
    found = []
    if at_host:
        found.append(("URL_USER_AT_HOST", "link with a user@ before the host"))
    if encoded:
        found.append(("URL_ENCODED_HOST", "percent-encoded host name"))
    return [Hit(name, settings.points(name, 0.0), why) for name, why in found]
