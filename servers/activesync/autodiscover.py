"""Autodiscover: the POX "mobilesync" answer ([MS-ASAHTTP]'s companion schema) and
the JSON v2 answer ({"Protocol": "ActiveSync", "Url": ...}) phones try first."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from postvak.protocols.activesync import (
    AutodiscoverError,
    build_autodiscover_error,
    build_autodiscover_response,
    parse_autodiscover_request,
)
from postvak.servers.core.context import HttpRequest, HttpResponse

XML = "text/xml; charset=utf-8"


def eas_url(ctx: Any, http: HttpRequest) -> str:
    host = http.headers.get("host") or ctx.hostname
    return f"https://{host}/Microsoft-Server-ActiveSync"


async def handle(ctx: Any, http: HttpRequest, authenticate: Callable[[HttpRequest], Awaitable[Any]]) -> HttpResponse:
    path = http.path.lower()
    if "/autodiscover.json" in path or path.endswith("/autodiscover/autodiscover.json/v1.0") or "/v1.0/" in path:
        body = json.dumps({"Protocol": "ActiveSync", "Url": eas_url(ctx, http)}).encode()
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
    body = build_autodiscover_response(account.address, account.address.partition("@")[0], eas_url(ctx, http))
    return HttpResponse(200, (("Content-Type", XML),), body)
