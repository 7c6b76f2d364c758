"""DNS blocklists (RFC 5782): is the connecting client's address listed?

The lookup goes through a resolver callable the server injects, so this module
does no I/O itself and tests need no network. Without a resolver or zones the
rule does not run (returns None).
"""

from __future__ import annotations

import ipaddress

from ..message import ParsedMessage
from ..types import Hit, Resolver, SpamContext, SpamSettings

NAME = "RCVD_IN_DNSBL"
POINTS = 3.0


def query_name(ip: str, zone: str) -> str | None:
    """RFC 5782 2.1 (IPv4: reversed octets) and 2.4 (IPv6: reversed nibbles) + the zone."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_unspecified:
        return None  # never listed, and asking would leak internal addresses
    if addr.version == 4:
        labels = reversed(str(addr).split("."))
    else:
        labels = reversed(addr.exploded.replace(":", ""))
    return ".".join(labels) + "." + zone.strip(".")


def listed(answers: object) -> bool:
    # RFC 5782 2.1: listed entries answer with an A record in 127.0.0.0/8; anything else
    # (e.g. 127.255.255.x "query refused" codes from Spamhaus) is not a listing.
    if not answers:
        return False
    for answer in answers:  # type: ignore[attr-defined]
        text = str(answer)
        if text.startswith("127.") and not text.startswith("127.255.255."):
            return True
    return False


def lookup(ip: str, zones: tuple[str, ...], resolver: Resolver) -> list[str]:
    """The zones listing `ip`; resolver errors count as "not listed" (never block on DNS trouble)."""
    found = []
    for zone in zones:
        name = query_name(ip, zone)
        if name is None:
            continue
        try:
            answers = resolver(name)
        except Exception:
            continue
        if listed(answers):
            found.append(zone)
    return found


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit] | None:
    if settings.dns_resolver is None or not settings.dnsbl_zones or not ctx.client_ip:
        return None
    zones = lookup(ctx.client_ip, settings.dnsbl_zones, settings.dns_resolver)
    return [Hit(NAME, settings.points(NAME, POINTS), f"{ctx.client_ip} listed in {zone}") for zone in zones]
