"""Autodiscover: the POX "mobilesync" answer ([MS-ASAHTTP]'s companion schema) and
the JSON v2 answer ({"Protocol": "ActiveSync", "Url": ...}) phones try first."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from postvak.protocols.activesync import (
    AutodiscoverError,
    build_autodiscover_error,
    build_autodiscover_response,
    parse_autodiscover_request,
)
from postvak.servers.core.context import HttpRequest, HttpResponse
from postvak.store import accounts

XML = "text/xml; charset=utf-8"


# host[:port] as a Host header carries a DNS name or an IPv4 address (RFC 9110 7.2)
_HOST = re.compile(r"([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)(:[0-9]{1,5})?")


async def eas_url(ctx: Any, http: HttpRequest) -> str:
    """The ActiveSync URL under the name the client reached us by, when that is a name of
    this server: its host name, a hosted domain or autodiscover.<hosted domain> (what
    phones ask), or a loopback address. Any other Host header (a typo, or a forged one a
    cache in front could keep and hand to others) gets the configured host name."""
    given = (http.headers.get("host") or "").strip().lower()
    match = _HOST.fullmatch(given)
    if match is not None and await _is_ours(ctx, match.group(1)):
        return f"https://{given}/Microsoft-Server-ActiveSync"
    return f"https://{ctx.hostname}/Microsoft-Server-ActiveSync"


async def _is_ours(ctx: Any, name: str) -> bool:
    if name == str(ctx.hostname).lower():
        return True
    address = _address(name)
    if address is not None:
        return address.is_loopback
    domain = name.removeprefix("autodiscover.")
    return bool(await ctx.runner.read_here(accounts.is_local_domain, domain))


async def handle(ctx: Any, http: HttpRequest, authenticate: Callable[[HttpRequest], Awaitable[Any]]) -> HttpResponse:
    path = http.path.lower()
    if "/autodiscover.json" in path or path.endswith("/autodiscover/autodiscover.json/v1.0") or "/v1.0/" in path:
        body = json.dumps({"Protocol": "ActiveSync", "Url": await eas_url(ctx, http)}).encode()
        return HttpResponse(200, (("Content-Type", "application/json"),), body)
    if not path.rstrip("/").endswith("/autodiscover.xml"):
        return HttpResponse(404, (("Content-Type", XML),))
    if http.method != "POST":
        return HttpResponse(405, (("Content-Type", XML), ("Allow", "POST")))
    account = await authenticate(http)
    if account is None:
        return HttpResponse(401, (("Content-Type", XML), ("WWW-Authenticate", 'Basic realm="Autodiscover"')))
    try:
        request = parse_autodiscover_request(http.body)
    except AutodiscoverError as exc:
        return HttpResponse(200, (("Content-Type", XML),), build_autodiscover_error(str(exc)))
    if request.email.lower() != account.address.lower():
        return HttpResponse(200, (("Content-Type", XML),), build_autodiscover_error("not your address"))
    body = build_autodiscover_response(account.address, account.address.partition("@")[0], await eas_url(ctx, http))
    return HttpResponse(200, (("Content-Type", XML),), body)


def _address(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None  # a name, not an address
