"""CAPA (RFC 2449 5): what is offered depends on TLS, loopback and state."""

from __future__ import annotations

from tests.servers.pop3.pop3_client import Env


def caps(reply) -> dict[str, str]:  # noqa: ANN001
    return {line.split(" ", 1)[0]: line for line in reply.lines}


def test_capa_over_tls_offers_login_and_extensions(env: Env) -> None:
    c = env.client(tls=True, host="192.0.2.10")
    found = caps(c.multi("CAPA"))
    assert found["SASL"] == "SASL PLAIN"
    assert found["EXPIRE"] == "EXPIRE NEVER"
    assert found["UTF8"] == "UTF8 USER"
    for name in ("TOP", "UIDL", "USER", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE"):
        assert name in found
    assert "STLS" not in found  # already TLS
    assert "APOP" not in found


def test_capa_in_clear_from_the_network_offers_stls_but_no_login(env: Env) -> None:
    c = env.client(tls=False, host="192.0.2.10")
    found = caps(c.multi("CAPA"))
    assert "STLS" in found
    assert "USER" not in found and "SASL" not in found


def test_capa_after_login_drops_login_capabilities(env: Env) -> None:
    c = env.client()
    assert c.login().ok
    found = caps(c.multi("CAPA"))
    assert "USER" not in found and "SASL" not in found and "STLS" not in found
    assert "UIDL" in found and "TOP" in found
