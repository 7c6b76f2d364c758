"""IMAP listeners: "imap" (143, STARTTLS) and "imaps" (993, implicit TLS)."""

from __future__ import annotations

from typing import Any

from postvak.protocols.imap.limits import PREAUTH_LIMITS, Limits
from postvak.servers.core.context import ServerContext, StreamListener
from postvak.servers.imap.session import ImapSession


def limits_from(settings: Any) -> tuple[Limits, Limits]:
    """(after login, before login) from [limits]; stricter before login (STYLE.md habit 10)."""
    section = getattr(settings, "limits", None)
    line = int(getattr(section, "line_length", 8192) or 8192)
    message = int(getattr(section, "message_size", 50 * 1024 * 1024) or 50 * 1024 * 1024)
    string = int(getattr(section, "literal_size", 64 * 1024) or 64 * 1024)
    after = Limits(line_length=max(line, 1024), literal_size=message, string_literal_size=min(string, message),
                   command_size=message + 16 * 1024 * 1024)
    before = Limits(
        line_length=min(line, PREAUTH_LIMITS.line_length), literal_size=PREAUTH_LIMITS.literal_size,
        string_literal_size=PREAUTH_LIMITS.string_literal_size,
        command_size=PREAUTH_LIMITS.command_size, paren_depth=PREAUTH_LIMITS.paren_depth,
        search_depth=PREAUTH_LIMITS.search_depth, max_command_args=PREAUTH_LIMITS.max_command_args,
        max_literals=PREAUTH_LIMITS.max_literals,
    )
    return after, before


def listener(ctx: ServerContext, name: str, conf: Any) -> StreamListener:
    after, before = limits_from(ctx.settings)
    starttls = getattr(conf, "tls", "") == "starttls"
    imap = getattr(ctx.settings, "imap", None)
    max_failed = int(getattr(imap, "max_failed_logins", 3) or 3)

    def make_session() -> ImapSession:
        session = ImapSession(ctx, starttls=starttls, limits=after, preauth_limits=before)
        session.max_failed_logins = max_failed
        return session

    return StreamListener(make_session)
