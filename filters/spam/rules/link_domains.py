"""Do the links go to the sender's own site?

A shop's or a newsletter's mail links to its own domain (the one in From or in the
Message-ID); spam links to throw-away sites unrelated to the forged or free-mail
sender, and bulk mail scatters links over many unrelated domains.
"""

from __future__ import annotations

from ..message import ParsedMessage, addresses, domain_of
from ..types import Hit, SpamContext, SpamSettings
from .domains import registrable
from .urls import host_of, is_ip

MANY_DOMAINS = 4
MAX_URLS = 100


def link_hosts(msg: ParsedMessage) -> list[str]:
    hosts = []
    for url in msg.urls[:MAX_URLS]:
        lowered = url.lower()
        if lowered.startswith("www."):
            lowered = "http://" + lowered
        if "://" not in lowered:
            continue  # mailto:, relative links
        host = host_of(lowered)
        if host and not is_ip(host):
            hosts.append(host)
    return hosts


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    domains = {registrable(h) for h in link_hosts(msg)}
    if not domains:
        return []
    sender = addresses(msg.header("from"))
    own = {registrable(domain_of(sender[0][1]))} if sender and domain_of(sender[0][1]) else set()
    message_id_domain = domain_of(msg.header("message-id") or "")
    if message_id_domain:
        own.add(registrable(message_id_domain))
    hits = []
    if own & domains:
        hits.append(Hit("URL_SENDER_SITE", settings.points("URL_SENDER_SITE", 0.0), "links go to the sender's domain"))
    else:
        hits.append(Hit("URL_NOT_SENDER", settings.points("URL_NOT_SENDER", 0.0), "no link goes to the sender's domain"))
    if len(domains) >= MANY_DOMAINS:
        hits.append(Hit("URL_MANY_DOMAINS", settings.points("URL_MANY_DOMAINS", 0.0), f"links to {len(domains)} domains"))
    return hits
