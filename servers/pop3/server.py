"""POP3 listeners: `pop3` (110, STLS, RFC 2595) and `pop3s` (995, implicit TLS, RFC 8314)."""

from __future__ import annotations

from typing import Any

from postvak.servers.core.context import ServerContext, StreamListener
from postvak.servers.pop3.config import Pop3Config
from postvak.servers.pop3.session import Pop3Session


def listener(ctx: ServerContext, name: str, conf: Any) -> StreamListener:
    config = Pop3Config.from_settings(ctx.settings, conf)
    return StreamListener(make_session=lambda: Pop3Session(ctx, config))
