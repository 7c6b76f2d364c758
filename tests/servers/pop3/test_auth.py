"""AUTH PLAIN (RFC 5034, RFC 4616), with and without the initial response."""

from __future__ import annotations

import base64

from tests.servers.pop3.pop3_client import ALICE, Env


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_auth_plain_with_initial_response(env: Env) -> None:
    c = env.client()
    reply = c.auth_plain()
    assert reply.ok and reply.text.startswith("maildrop has")


def test_auth_plain_with_empty_challenge(env: Env) -> None:
    c = env.client()
    c.feed(b"AUTH PLAIN\r\n")
    c._until(lambda: True if c.io.out.endswith(b"+ \r\n") else None)
    c.pos = len(c.io.out)
    reply = c.send(b64(f"\0{ALICE[0]}\0{ALICE[1]}"))
    assert reply.ok


def test_auth_plain_with_matching_authzid(env: Env) -> None:
    assert env.client().auth_plain(authzid=ALICE[0]).ok


def test_auth_plain_as_someone_else_is_refused(env: Env) -> None:
    reply = env.client().auth_plain(authzid="bob@example.test")
    assert not reply.ok and reply.code == "AUTH"


def test_auth_cancel_and_garbage(env: Env) -> None:
    c = env.client()
    c.feed(b"AUTH PLAIN\r\n")
    c._until(lambda: True if c.io.out.endswith(b"+ \r\n") else None)
    c.pos = len(c.io.out)
    reply = c.send("*")
    assert not reply.ok and "cancel" in reply.text
    reply = c.send("AUTH PLAIN !!!notbase64")
    assert not reply.ok and reply.code == "AUTH"
    reply = c.send(f"AUTH PLAIN {b64('only-one-part')}")
    assert not reply.ok and reply.code == "AUTH"
    assert c.auth_plain().ok  # the session is still usable


def test_wrong_password_over_auth(env: Env) -> None:
    reply = env.client().auth_plain(password="nope")
    assert not reply.ok and reply.code == "AUTH"


def test_unsupported_mechanism_and_listing(env: Env) -> None:
    c = env.client()
    reply = c.send("AUTH CRAM-MD5")
    assert not reply.ok and "unsupported" in reply.text
    listing = c.multi("AUTH")
    assert listing.ok and listing.lines == ["PLAIN"]
    assert not c.send("APOP alice@example.test c4c9334bac560ecc979e58001b3e22fb").ok
