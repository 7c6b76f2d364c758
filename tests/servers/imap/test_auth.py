"""CAPABILITY, STARTTLS, LOGIN, AUTHENTICATE PLAIN (SASL-IR), ENABLE, ID, NAMESPACE, LOGOUT, errors."""

from __future__ import annotations

import base64

from tests.servers.imap.harness import PASSWORD


def _plain(user: str = "alice@example.test", password: str = PASSWORD) -> str:
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def test_logindisabled_in_the_clear_from_a_remote_address(env) -> None:
    c = env.client(login=False, loopback=False)
    caps = c.cmd("CAPABILITY").find("CAPABILITY")[0]
    assert b"LOGINDISABLED" in caps and b"STARTTLS" in caps and b"AUTH=PLAIN" not in caps
    r = c.cmd(f'LOGIN alice@example.test "{PASSWORD}"')
    assert r.status == "NO" and "[PRIVACYREQUIRED]" in r.text


def test_starttls_then_login_and_capabilities_change(env) -> None:
    c = env.client(login=False, loopback=False)
    r = c.cmd("STARTTLS")
    assert r.ok and c.io.tls_started
    caps = c.cmd("CAPABILITY").find("CAPABILITY")[0]
    assert b"STARTTLS" not in caps and b"AUTH=PLAIN" in caps
    assert c.cmd("STARTTLS").status == "BAD"
    r = c.cmd(f'LOGIN alice@example.test "{PASSWORD}"')
    assert r.ok and "[CAPABILITY" in r.text and "IDLE" in r.text


def test_commands_pipelined_after_starttls_are_dropped(env) -> None:
    c = env.client(login=False, loopback=False)
    c.send(b"s1 STARTTLS\r\ns2 NOOP\r\n")
    r = c.reply("s1")
    assert r.ok
    assert b"s2" not in c.settle()


def test_authenticate_plain_with_initial_response(env) -> None:
    c = env.client(login=False)
    r = c.cmd(f"AUTHENTICATE PLAIN {_plain()}")
    assert r.ok
    assert c.cmd("SELECT INBOX").ok


def test_authenticate_plain_with_continuation_and_cancel(env) -> None:
    c = env.client(login=False)
    c.send(b"a1 AUTHENTICATE PLAIN\r\n")
    c.wait_for(b"+ ")
    c.send(b"*\r\n")
    assert c.reply("a1").status == "BAD"
    c.send(b"a2 AUTHENTICATE PLAIN\r\n")
    c.wait_for(b"+ ")
    c.send(_plain().encode() + b"\r\n")
    assert c.reply("a2").ok


def test_authenticate_response_sent_before_the_continuation_is_read_as_the_response(env) -> None:
    """The client did not wait for "+ " (RFC 9051 asks it to): its response line, read as a
    command on arrival, answers the challenge instead of leaving the session waiting."""
    c = env.client(login=False)
    c.send(b"a1 AUTHENTICATE PLAIN\r\n" + _plain().encode() + b"\r\nn NOOP\r\n")
    assert c.reply("n").ok  # the later tag: every reply before it is in the output then
    out = bytes(c.io.out)
    assert out.index(b"+ ") < out.index(b"a1 OK") < out.index(b"n OK")
    assert c.cmd("SELECT INBOX").ok
    c2 = env.client(login=False)
    c2.send(b"a1 AUTHENTICATE PLAIN\r\n*\r\n")  # a pipelined cancel
    assert c2.reply("a1").status == "BAD"


def test_wrong_password_then_connection_closed_after_three(env) -> None:
    c = env.client(login=False)
    for _ in range(2):
        r = c.cmd('LOGIN alice@example.test "wrong"')
        assert r.status == "NO" and "[AUTHENTICATIONFAILED]" in r.text
    c.send(b"x LOGIN alice@example.test wrong\r\n")
    out = c.wait_for(b"* BYE")
    assert b"x NO" in out
    assert c.io.closed


def test_state_rules_and_syntax_errors(env) -> None:
    c = env.client(login=False)
    assert c.cmd("SELECT INBOX").status == "BAD"
    assert c.cmd("FROBNICATE").status == "BAD"
    c.login()
    assert c.cmd('LOGIN a b').status == "BAD"
    assert c.cmd("FETCH 1 FLAGS").status == "BAD"  # nothing selected
    r = c.cmd("SELECT")
    assert r.status == "BAD"


def test_enable_id_namespace_noop_logout(env) -> None:
    c = env.client()
    r = c.cmd("ENABLE CONDSTORE QRESYNC UTF8=ACCEPT")
    assert r.ok and r.find("ENABLED")
    assert c.session.qresync and c.session.utf8
    r = c.cmd('ID ("name" "test")')
    assert r.ok and b'"Postvak"' in r.find("* ID")[0]
    r = c.cmd("NAMESPACE")
    assert r.untagged == [b'* NAMESPACE (("" "/")) NIL NIL']
    assert c.cmd("NOOP").ok
    r = c.cmd("LOGOUT")
    assert r.ok and r.find("* BYE")
    c.settle(0.02)
    assert c.io.closed


def test_too_long_line_before_login_is_bad(env) -> None:
    c = env.client(login=False)
    r = c.cmd("NOOP " + "x" * 20000)
    assert r.status == "BAD"
    assert c.cmd("NOOP").ok
