"""Where a domain's mail goes: MX lookup with the implicit-MX fallback, or the relayhost.
Blocking DNS (dnspython through servers/smtp/resolver.Dns); callers run it off the loop."""

from __future__ import annotations

import random
from dataclasses import dataclass

from postvak.servers.smtp.resolver import Dns, TempDnsError


class RouteError(Exception):
    """No route. `status` is the RFC 3463 code for the DSN; 5.x.x is final."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status

    @property
    def temporary(self) -> bool:
        return self.status.startswith("4")


@dataclass(frozen=True)
class Hop:
    name: str  # host name (for logs, DSN Remote-MTA)
    addresses: tuple[str, ...]  # IPs to try in order
    port: int


def parse_relayhost(text: str, default_port: int = 25) -> tuple[str, int]:
    """"host", "host:port", "[host]:port" (brackets: no MX lookup, as in Postfix; we never
    look up MX for a relayhost anyway) or "[::1]:2525"."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.lstrip(":")
        return host, int(port) if port else default_port
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host, int(port)
    return text, default_port


def mx_hops(dns: Dns, domain: str, port: int) -> list[Hop]:
    """RFC 5321 5.1: MX hosts by preference (equal preferences shuffled to spread load);
    no MX record: the domain's own A/AAAA is the implicit MX; RFC 7505 null MX: no mail."""
    domain = domain.rstrip(".").lower()
    try:
        records = dns.query(domain, "MX")
    except TempDnsError as exc:
        raise RouteError(f"MX lookup for {domain} failed: {exc}", "4.4.3") from exc
    if len(records) == 1 and records[0].exchange.to_text(True) in ("", "."):
        raise RouteError(f"{domain} accepts no mail (null MX, RFC 7505)", "5.1.10")
    if not records:
        addrs = _addresses(dns, domain)
        if not addrs:
            raise RouteError(f"{domain} has no MX and no address record", "5.1.2")
        return [Hop(domain, addrs, port)]
    by_pref: dict[int, list[str]] = {}
    for r in records:
        name = r.exchange.to_text(True).rstrip(".").lower()
        if name:
            by_pref.setdefault(int(r.preference), []).append(name)
    hops: list[Hop] = []
    temp_error: TempDnsError | None = None
    for pref in sorted(by_pref):
        names = by_pref[pref]
        random.shuffle(names)
        for name in names:
            try:
                addrs = _addresses(dns, name)
            except TempDnsError as exc:
                temp_error = exc
                continue
            if addrs:
                hops.append(Hop(name, addrs, port))
    if not hops:
        if temp_error is not None:
            raise RouteError(f"address lookup for the MX hosts of {domain} failed: {temp_error}", "4.4.3")
        raise RouteError(f"no MX host of {domain} has an address", "4.4.4")
    return hops


def _addresses(dns: Dns, name: str) -> tuple[str, ...]:
    """IPv4 first: most hosts sending mail have working IPv4, not all have IPv6 routes."""
    v4 = [r.address for r in dns.query(name, "A")]
    try:
        v6 = [r.address for r in dns.query(name, "AAAA")]
    except TempDnsError:
        v6 = []
    return tuple(v4 + v6)
