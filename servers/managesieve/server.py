"""The `managesieve` listener (4190, STARTTLS, RFC 5804 2.2)."""

from __future__ import annotations

from typing import Any

from postvak.servers.core.context import ServerContext, StreamListener
from postvak.servers.managesieve.config import SieveConfig
from postvak.servers.managesieve.session import SieveSession


def listener(ctx: ServerContext, name: str, conf: Any) -> StreamListener:
    config = SieveConfig.from_settings(ctx.settings, conf, ctx.hostname)
    return StreamListener(make_session=lambda: SieveSession(ctx, config))
