"""Listeners smtp (25, MX), submission (587, STARTTLS) and submissions (465, implicit
TLS): aiosmtpd servers on the reactor's asyncio loop (never aiosmtpd's threaded
Controller), one PostvakSMTP protocol per connection."""

from __future__ import annotations

import logging
import ssl
from typing import Any

from postvak.servers.core.context import AsyncioListener, ServerContext
from postvak.servers.smtp import checks
from postvak.servers.smtp.handler import SmtpHandler
from postvak.servers.smtp.protocol import PostvakSMTP
from postvak.servers.smtp.resolver import Dns

IDLE_TIMEOUT = 300  # RFC 5321 4.5.3.2.7: the server timeout is at least 5 minutes

# aiosmtpd logs every command line at INFO (addresses included); keep that out of our log.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def listener(ctx: ServerContext, name: str, conf: Any) -> AsyncioListener:
    submission = name in ("submission", "submissions")
    implicit = conf.tls == "implicit"
    dns = ctx.extras.get("smtp_dns")
    if dns is None:
        dns = ctx.extras["smtp_dns"] = Dns.from_settings(ctx.settings)
        checks.install_spf_resolver(dns)
    handler = SmtpHandler(ctx, name, submission=submission, dns=dns)
    max_size = int(ctx.settings.limits.message_size)
    plain_loopback = bool(ctx.settings.auth.plaintext_on_loopback)
    starttls_ctx = ctx.tls.stdlib if not implicit else None

    def make_protocol() -> PostvakSMTP:
        return PostvakSMTP(
            handler, implicit_tls=implicit, submission=submission, allow_plain_loopback=plain_loopback,
            max_size=max_size, hostname=ctx.hostname, ident="Postvak ESMTP ready",
            tls_context=starttls_ctx, timeout=IDLE_TIMEOUT, loop=ctx.loop,
        )

    async def start(host: str, port: int, ssl_ctx: ssl.SSLContext | None) -> Any:
        return await ctx.loop.create_server(make_protocol, host, port, ssl=ssl_ctx, reuse_address=True)

    return AsyncioListener(start=start)
