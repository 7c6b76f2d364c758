"""Suspicious links: raw IP addresses as hosts, and anchors whose visible text names another site."""

from __future__ import annotations

import ipaddress
import re

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

_HOST_IN_TEXT = re.compile(r"(?i)^(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:[/:?#]|$)")


def host_of(url: str) -> str:
    lowered = url.strip().lower()
    rest = lowered.partition("://")[2] or lowered
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rpartition("@")[2]  # http://bank.example@evil.example/ goes to evil.example
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    return host.partition(":")[0].rstrip(".")


# An IPv4 address or a decimal one is digits and dots, a hex one starts "0x", an IPv6 one holds
# a colon; for any other host ip_address() only raises, at 3.5 us a call (and it is called for
# every URL here and in link_domains).
_DIGITS_DOTS = re.compile(r"[\d.]+")


def is_ip(host: str) -> bool:
    if ":" not in host and not host.startswith("0x") and not _DIGITS_DOTS.fullmatch(host):
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        # Decimal / hex obfuscations like http://3232235777/ or http://0xC0A80001/
        return bool(re.fullmatch(r"(?:0x[0-9a-f]+|\d{8,10})", host))


def _base(host: str) -> str:
    return ".".join(host.split(".")[-2:])


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    hits = []
    ip_host = None  # of the first link to an IP host
    for url in dict.fromkeys(msg.urls):  # HTML repeats its URLs: each distinct one looked at once
        if "://" in url and is_ip(host := host_of(url)):
            ip_host = host
            break
    if ip_host is not None:
        hits.append(Hit("URL_IP_HOST", settings.points("URL_IP_HOST", 1.5), f"link to IP host {ip_host}"))
    for link in msg.links:
        shown = _HOST_IN_TEXT.match(link.text.strip())
        if not shown:  # most anchors show words, not a host: then where they go does not matter here
            continue
        target = host_of(link.href)
        if target and "://" in link.href and _base(shown.group(1).lower()) != _base(target):
            hits.append(Hit("URL_TEXT_MISMATCH", settings.points("URL_TEXT_MISMATCH", 0.5),
                            f"anchor shows {shown.group(1).lower()} but goes to {target}"))
            break
    return hits
