"""ManageSieve greeting, STARTTLS, AUTHENTICATE PLAIN, NOOP, UNAUTHENTICATE, LOGOUT
(RFC 5804 1.7, 2.1-2.4, 2.13, 2.14) through a fake SessionIO and a real store."""

from __future__ import annotations

import base64

from tests.servers.managesieve.harness import PASSWORD, USER, Env, env, plain  # noqa: F401


def caps(lines: list[bytes]) -> dict[str, str]:
    out = {}
    for line in lines:
        parts = line.split(b'" "', 1)
        key = parts[0].strip(b'"').decode()
        out[key] = parts[1].rstrip(b'"').decode() if len(parts) > 1 else ""
    return out


def test_greeting_is_the_capability_list(env: Env) -> None:
    c = env.client(login=False)
    assert c.greeting.ok
    found = caps(c.greeting.lines)
    assert found["IMPLEMENTATION"] == "Postvak ManageSieve"
    assert found["SASL"] == "PLAIN"  # loopback with plaintext_on_loopback
    assert "STARTTLS" in found and found["VERSION"] == "1.0"
    for ext in ("fileinto", "vacation", "imap4flags", "reject", "date", "include", "spamtest"):
        assert ext in found["SIEVE"].split()
    assert "OWNER" not in found
    assert found["MAXREDIRECTS"] == "4"


def test_no_password_in_clear_off_loopback(env: Env) -> None:
    c = env.client(login=False, loopback=False)
    assert caps(c.greeting.lines)["SASL"] == ""
    reply = c.cmd(f'AUTHENTICATE "PLAIN" "{plain(USER, PASSWORD)}"')
    assert reply.status == "NO" and reply.has("ENCRYPT-NEEDED")
    reply = c.cmd("STARTTLS")
    assert reply.ok and c.io.tls_started
    again = c.read()  # RFC 5804 2.2: capabilities again after the handshake
    assert caps(again.lines)["SASL"] == "PLAIN" and "STARTTLS" not in caps(again.lines)
    assert c.cmd("STARTTLS").status == "NO"  # once only
    assert c.login().ok


def test_pipelined_bytes_before_tls_are_dropped(env: Env) -> None:
    c = env.client(login=False, loopback=False)
    c.send(b'STARTTLS\r\nAUTHENTICATE "PLAIN" "' + plain(USER, PASSWORD).encode() + b'"\r\n')
    assert c.read().ok  # the STARTTLS OK
    assert c.read().ok  # the capabilities after TLS; the injected AUTHENTICATE is gone
    c.idle()
    assert c.cmd("LISTSCRIPTS").status == "NO"  # still not authenticated


def test_owner_after_login_and_commands_need_login(env: Env) -> None:
    c = env.client(login=False)
    assert c.cmd("LISTSCRIPTS").status == "NO"
    assert c.cmd('GETSCRIPT "x"').status == "NO"
    c.login()
    found = caps(c.cmd("CAPABILITY").lines)
    assert found["OWNER"] == USER and found["SASL"] == "" and "STARTTLS" not in found
    assert c.cmd(f'AUTHENTICATE "PLAIN" "{plain(USER, PASSWORD)}"').status == "NO"


def test_wrong_password_then_bye_after_three(env: Env) -> None:
    c = env.client(login=False)
    for _ in range(2):
        reply = c.cmd(f'AUTHENTICATE "PLAIN" "{plain(USER, "wrong")}"')
        assert reply.status == "NO"
    reply = c.cmd(f'AUTHENTICATE "PLAIN" "{plain(USER, "wrong")}"')
    assert reply.status == "BYE" and c.io.closed


def test_sasl_continuation_and_cancel(env: Env) -> None:
    c = env.client(login=False)
    c.send(b'AUTHENTICATE "PLAIN"\r\n')
    c.idle()
    assert bytes(c.io.out[c.seen:]) == b'""\r\n'  # an empty challenge
    c.seen = len(c.io.out)
    assert c.cmd('"*"').status == "NO"  # RFC 5804 2.1: the client cancels
    c.send(b'AUTHENTICATE "PLAIN"\r\n')
    c.idle()
    c.seen = len(c.io.out)
    assert c.cmd(f'"{plain(USER, PASSWORD)}"').ok
    assert c.cmd("LISTSCRIPTS").ok


def test_no_acting_as_another_user(env: Env) -> None:
    c = env.client(login=False)
    reply = c.cmd(f'AUTHENTICATE "PLAIN" "{plain(USER, PASSWORD, authzid="bob@example.test")}"')
    assert reply.status == "NO" and reply.has("AUTH-TOO-WEAK")
    same = plain(USER, PASSWORD, authzid=USER.upper())
    assert c.cmd(f'AUTHENTICATE "PLAIN" "{same}"').ok


def test_unsupported_mechanism_and_bad_base64(env: Env) -> None:
    c = env.client(login=False)
    assert c.cmd('AUTHENTICATE "CRAM-MD5"').status == "NO"
    assert c.cmd('AUTHENTICATE "PLAIN" "!!!not-base64"').status == "NO"
    junk = base64.b64encode(b"no separators").decode()
    assert c.cmd(f'AUTHENTICATE "PLAIN" "{junk}"').status == "NO"
    assert c.login().ok


def test_noop_tag_unauthenticate_logout(env: Env) -> None:
    c = env.client()
    assert c.cmd("NOOP").ok
    reply = c.cmd('NOOP "hello"')
    assert reply.ok and reply.text.startswith('(TAG "hello")')
    assert c.cmd("UNAUTHENTICATE").ok
    assert c.cmd("LISTSCRIPTS").status == "NO"
    assert c.cmd("UNAUTHENTICATE").status == "NO"
    c.login()
    assert c.cmd("LOGOUT").ok and c.io.closed


def test_unknown_command_is_no_and_the_session_lives(env: Env) -> None:
    c = env.client()
    assert c.cmd("FROBNICATE").status == "NO"
    assert c.cmd("LISTSCRIPTS").ok
    assert not [e for e in c.io.log.events if e[0] == "error"]
