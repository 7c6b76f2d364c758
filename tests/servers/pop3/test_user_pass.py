"""USER / PASS (RFC 1939 7), the TLS rule (RFC 2595) and [AUTH] codes (RFC 3206)."""

from __future__ import annotations

from dataclasses import replace

from tests.servers.pop3.pop3_client import BOB, Env, message


def test_login_answers_with_the_maildrop_size(env: Env) -> None:
    raw = message(1)
    env.deliver(raw)
    c = env.client()
    assert c.greeting.ok and "<" not in c.greeting.text  # no APOP timestamp
    assert c.send("USER alice@example.test").ok
    reply = c.send("PASS alice-secret-1")
    assert reply.ok and reply.text == f"maildrop has 1 messages ({len(raw)} octets)"


def test_wrong_password_is_auth_error_and_user_must_be_repeated(env: Env) -> None:
    c = env.client()
    c.send("USER alice@example.test")
    reply = c.send("PASS wrong")
    assert not reply.ok and reply.code == "AUTH"
    assert not c.send("PASS alice-secret-1").ok  # RFC 1939 7: back to USER
    assert c.login().ok


def test_unknown_user_looks_like_a_wrong_password(env: Env) -> None:
    c = env.client()
    reply = c.login("nobody@example.test", "x")
    assert not reply.ok and reply.code == "AUTH" and reply.text == "invalid user name or password"


def test_pass_without_user(env: Env) -> None:
    c = env.client()
    reply = c.send("PASS alice-secret-1")
    assert not reply.ok and "USER" in reply.text


def test_passwords_may_contain_spaces(env: Env) -> None:
    from postvak.servers.core.auth import hash_password
    from postvak.store import accounts

    env.store.write(accounts.set_password_hash, BOB[0], hash_password("two words "))
    c = env.client()
    assert c.login(BOB[0], "two words ").ok


def test_plaintext_refused_before_tls_from_the_network(env: Env) -> None:
    c = env.client(tls=False, host="192.0.2.10")
    reply = c.send("USER alice@example.test")
    assert not reply.ok and reply.code == "AUTH" and "TLS" in reply.text
    reply = c.auth_plain()
    assert not reply.ok and reply.code == "AUTH"
    assert env.ctx.auth.verifications == 0


def test_loopback_follows_plaintext_on_loopback(env: Env) -> None:
    assert env.client(tls=False, host="127.0.0.1").login().ok
    strict = replace(env.config, plaintext_on_loopback=False)
    c = env.client(tls=False, host="127.0.0.1", config=strict)
    reply = c.send("USER alice@example.test")
    assert not reply.ok and reply.code == "AUTH"


def test_three_failed_logins_close_the_connection(env: Env) -> None:
    c = env.client()
    for attempt in range(3):
        reply = c.login(password=f"wrong-{attempt}")
        assert not reply.ok and reply.code == "AUTH"
    assert reply.text.endswith("closing")
    c.settle()
    assert c.io.closed


def test_user_in_transaction_state_is_refused(env: Env) -> None:
    c = env.client()
    c.login()
    reply = c.send("USER bob@example.test")
    assert not reply.ok and "state" in reply.text
