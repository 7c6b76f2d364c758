"""`postvak dns DOMAIN`: the records to publish for a local domain, in zone-file form:
MX (RFC 5321 5.1), SPF (RFC 7208), DKIM key (RFC 6376 3.6.1), DMARC (RFC 7489 6.1).
Also makes the domain's DKIM key when it has none yet (domains added before DKIM)."""

from __future__ import annotations

import argparse
from typing import Any

from postvak.servers.cli import validate
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.store import accounts

TTL = 3600


def register(sub: Any) -> None:
    p = sub.add_parser("dns", help="print the MX, SPF, DKIM and DMARC records to publish for a domain")
    p.add_argument("name", metavar="DOMAIN")
    p.set_defaults(run=print_records)


def make_dkim_key(ctx: CliContext, domain: str) -> Any:
    """The domain's DKIM key, generated (outside the transaction) when missing."""
    from postvak.servers.smtp import dkim

    found = ctx.read(dkim.get_key, domain)
    if found is not None:
        return found
    fresh = dkim.generate_key(domain, str(ctx.settings.outbound.dkim_selector))
    return ctx.write(dkim.ensure_key, domain, fresh.selector, fresh)


def txt(text: str) -> str:
    """RFC 1035 3.3.14: one TXT record may hold several strings of at most 255 bytes."""
    parts = [text[i:i + 255] for i in range(0, len(text), 255)] or [""]
    return " ".join(f'"{p}"' for p in parts)


def records(domain: str, hostname: str, dkim_name: str, dkim_record: str) -> list[tuple[str, str, str]]:
    return [
        (f"{domain}.", "MX", f"10 {hostname}."),
        # "mx": the hosts that receive for the domain also send for it; "-all": nobody else may.
        (f"{domain}.", "TXT", txt("v=spf1 mx -all")),
        (f"{dkim_name}.", "TXT", txt(dkim_record)),
        (f"_dmarc.{domain}.", "TXT", txt(f"v=DMARC1; p=quarantine; adkim=r; aspf=r; rua=mailto:postmaster@{domain}")),
    ]


def print_records(ctx: CliContext, args: argparse.Namespace) -> int:
    domain = validate.domain(args.name)
    if not ctx.read(accounts.is_local_domain, domain):
        raise CliError(f"no such domain: {domain} (add it with `postvak domain add {domain}`)")
    hostname = str(ctx.settings.server.hostname).rstrip(".").lower()
    key = make_dkim_key(ctx, domain)
    print(f"; DNS records for {domain}: publish them at the domain's DNS provider.")
    if "." not in hostname:
        print(f"; warning: server.hostname {hostname!r} is not a public name; set it before publishing the MX.")
    else:
        print(f"; {hostname} needs A/AAAA records with this server's public addresses.")
    if str(ctx.settings.outbound.relayhost):
        print("; outbound.relayhost is set: add the relay's SPF mechanism (e.g. include:...) before -all.")
    for name, rtype, value in records(domain, hostname, key.record_name, key.record):
        print(f"{name}\t{TTL}\tIN\t{rtype}\t{value}")
    return 0
