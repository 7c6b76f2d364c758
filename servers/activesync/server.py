"""The HTTPS listener for Exchange ActiveSync ([MS-ASHTTP]) and Autodiscover.

Every answer is 200/401/4xx/5xx with an empty or WBXML body and the WBXML
content type (Autodiscover: XML/JSON); never an HTML error page. Basic auth
through ctx.auth on every request (2.2.1.1.2.2: no sessions in EAS).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from postvak.protocols.activesync import QueryError, WbxmlError, decode, encode, parse_query
from postvak.protocols.activesync.cmd_common import RequestError
from postvak.protocols.activesync.element import E, Element
from postvak.servers.activesync import autodiscover, policy
from postvak.servers.activesync.commands import COMMANDS, error_tree
from postvak.servers.activesync.request import VERSIONS, WBXML, CommandFailed, HttpFailed, Request
from postvak.servers.core.context import HttpListener, HttpRequest, HttpResponse, ServerContext

EAS_PATH = "/microsoft-server-activesync"
SERVER_HEADER = ("MS-Server-ActiveSync", "16.1")


def _wbxml(status: int = 200, body: bytes = b"", *extra: tuple[str, str]) -> HttpResponse:
    return HttpResponse(status, (("Content-Type", WBXML), SERVER_HEADER, *extra), body)


def unauthorized() -> HttpResponse:
    return _wbxml(401, b"", ("WWW-Authenticate", 'Basic realm="ActiveSync"'))


def options_response() -> HttpResponse:
    """[MS-ASHTTP] 2.2.4: the versions and commands this server speaks."""
    commands = ",".join(sorted(COMMANDS))
    return _wbxml(200, b"", ("MS-ASProtocolVersions", ",".join(VERSIONS)),
                  ("MS-ASProtocolCommands", commands), ("Allow", "OPTIONS,POST"), ("Public", "OPTIONS,POST"))


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        user, sep, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not sep or not user:
        return None
    # Outlook and phones may send DOMAIN\user; our users are addresses.
    return user.rpartition("\\")[2], password


class ActiveSync:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        conf = getattr(ctx.settings, "auth", None)
        self.plain_on_loopback = bool(getattr(conf, "plaintext_on_loopback", True))

    async def handle(self, http: HttpRequest) -> HttpResponse:
        try:
            return await self._handle(http)
        except HttpFailed as exc:
            return _wbxml(exc.code)
        except Exception as exc:  # noqa: BLE001 - logged once, answered 500, server lives on
            self.ctx.log.error("activesync.error", error=repr(exc), path=http.path, exc_info=True)
            return _wbxml(500)

    async def _handle(self, http: HttpRequest) -> HttpResponse:
        path = http.path.rstrip("/").lower()
        if path.startswith("/autodiscover"):
            return await autodiscover.handle(self.ctx, http, self._authenticate)
        if path != EAS_PATH:
            return _wbxml(404)
        if not (http.is_tls or (self.plain_on_loopback and http.peer_host in ("127.0.0.1", "::1"))):
            return _wbxml(403)
        account = await self._authenticate(http)
        if account is None:
            return unauthorized()
        if http.method == "OPTIONS":
            return options_response()
        if http.method != "POST":
            return _wbxml(405, b"", ("Allow", "OPTIONS,POST"))
        return await self._post(http, account)

    async def _authenticate(self, http: HttpRequest) -> Any | None:
        creds = basic_credentials(http.headers.get("authorization"))
        if creds is None:
            return None
        return await self.ctx.auth.verify(creds[0], creds[1], http.peer_host)

    async def _post(self, http: HttpRequest, account: Any) -> HttpResponse:
        try:
            line = parse_query(http.query.decode("latin-1"),
                               protocol_version=http.headers.get("ms-asprotocolversion"),
                               policy_key=http.headers.get("x-ms-policykey"))
        except QueryError as exc:
            self.ctx.log.info("activesync.bad_query", error=str(exc))
            return _wbxml(400)
        version = line.protocol_version or "12.1"
        if version not in VERSIONS:
            return _wbxml(400, b"", ("MS-ASProtocolVersions", ",".join(VERSIONS)))
        if line.user and line.user.lower() != account.address.lower() and "@" in line.user:
            return _wbxml(403)  # one account per credential: no delegate access
        tree = None
        content_type = http.headers.get("content-type", "").lower()
        if http.body and "message/rfc822" not in content_type:
            try:
                tree = decode(http.body)
            except WbxmlError as exc:
                self.ctx.log.info("activesync.bad_wbxml", error=str(exc), command=line.command)
                return self._answer(line.command, error_tree(line.command, 102))
        multipart = http.headers.get("ms-asacceptmultipart", "").upper() == "T" or line.accept_multipart \
            or line.params.get("AcceptMultiPart", "").upper() == "T"
        req = Request(self.ctx, account, line, version, http.body, tree, http.peer_host, multipart=multipart)
        handler = COMMANDS.get(line.command)
        if handler is None:
            return _wbxml(501)
        try:
            await policy.check(req)
            result = await handler(req)
        except RequestError as exc:
            req.log("activesync.bad_request", command=line.command, error=str(exc), status=exc.status)
            result = error_tree(line.command, exc.status)
        except CommandFailed as exc:
            result = error_tree(line.command, exc.status)
        return self._answer(line.command, result)

    def _answer(self, command: str, result: Any) -> HttpResponse:
        if isinstance(result, HttpResponse):
            return result
        if result is None:
            return _wbxml(200)
        if isinstance(result, Element):
            return _wbxml(200, encode(result))
        return _wbxml(200, bytes(result))


def listener(ctx: ServerContext, name: str, conf: Any) -> HttpListener:
    app = ActiveSync(ctx)
    return HttpListener(app.handle)


__all__ = ["ActiveSync", "listener", "options_response", "E"]
