"""From display names made to look like someone else: an address or a known brand domain in the name
that differs from the real sending address."""

from __future__ import annotations

import re

from ..message import ParsedMessage, addresses, domain_of
from ..types import Hit, SpamContext, SpamSettings

_ADDR_IN_NAME = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")


def _base(domain: str) -> str:
    # The registrable part, roughly: last two labels (good enough to tell brands apart).
    return ".".join(domain.lower().split(".")[-2:])


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    for name, addr in addresses(msg.header("from")):
        match = _ADDR_IN_NAME.search(name)
        real = domain_of(addr)
        if match and real and _base(match.group(1)) != _base(real):
            return [Hit("FROM_NAME_FORGED", settings.points("FROM_NAME_FORGED", 2.0),
                        f"display name shows {match.group(1)} but sender is {real}")]
    return []
