"""listener(): settings reach the sessions; pop3 offers STLS, pop3s does not."""

from __future__ import annotations

from postvak.config.loader import load_settings
from postvak.servers.core.context import StreamListener
from postvak.servers.pop3.config import Pop3Config
from postvak.servers.pop3.server import listener
from postvak.servers.pop3.session import Pop3Session
from tests.servers.pop3.pop3_client import Env


def test_listener_builds_sessions_from_settings(env: Env) -> None:
    settings = load_settings(None, env={"POSTVAK_POP3__IDLE_TIMEOUT": "900"})
    env.ctx.settings = settings
    plain = listener(env.ctx, "pop3", settings.listeners["pop3"])
    implicit = listener(env.ctx, "pop3s", settings.listeners["pop3s"])
    assert isinstance(plain, StreamListener)
    session = plain.make_session()
    assert isinstance(session, Pop3Session)
    assert session.config.stls and session.config.idle_timeout == 900
    assert session.config.plaintext_on_loopback == settings.auth.plaintext_on_loopback
    assert not implicit.make_session().config.stls
    assert session.config.max_failed_logins == 3 and session.config.lock_ttl == 120


def test_config_defaults_follow_rfc_1939() -> None:
    assert Pop3Config().idle_timeout >= 600
    assert Pop3Config().max_failed_logins == 3
