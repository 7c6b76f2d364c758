"""PLAIN and LOGIN exchanges, cancel, malformed input; any bytes -> only SASL steps."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from postvak.protocols.sasl import (
    MECHANISMS,
    Cancelled,
    Challenge,
    Credentials,
    SaslError,
    start,
)


def b64(raw: bytes) -> bytes:
    return base64.b64encode(raw)


def test_plain_with_initial_response() -> None:
    step = start("PLAIN", b64(b"\x00alice@example.org\x00s3cret"))
    assert step == Credentials("", "alice@example.org", "s3cret")


def test_plain_with_authzid_and_utf8() -> None:
    step = start("plain", b64("boss\x00jürgen\x00pässwort".encode()))
    assert step == Credentials("boss", "jürgen", "pässwort")


def test_plain_without_initial_response_sends_empty_challenge() -> None:
    step = start("PLAIN", None)
    assert isinstance(step, Challenge)
    assert step.data == b"" and step.wire() == b""
    assert step.feed(b64(b"\x00bob\x00pw") + b"\r\n") == Credentials("", "bob", "pw")


def test_plain_equals_sign_is_empty_initial_response() -> None:
    step = start("PLAIN", b"=")
    assert isinstance(step, Challenge)
    assert step.feed(b64(b"\x00bob\x00pw")) == Credentials("", "bob", "pw")


def test_password_not_in_repr() -> None:
    assert "s3cret" not in repr(Credentials("", "a", "s3cret"))


def test_plain_malformed() -> None:
    assert isinstance(start("PLAIN", b64(b"bob\x00pw")), SaslError)
    assert isinstance(start("PLAIN", b64(b"\x00\x00pw")), SaslError)
    assert isinstance(start("PLAIN", b64(b"\x00bob\x00")), SaslError)
    assert isinstance(start("PLAIN", b64(b"\x00bob\x00pw\x00x")), SaslError)
    assert isinstance(start("PLAIN", b64(b"\x00b\xffb\x00pw")), SaslError)
    assert start("PLAIN", b"!!notbase64") == SaslError("invalid base64")
    assert isinstance(start("PLAIN", b"YWJj="), SaslError)  # bad padding


def test_too_long_response_refused() -> None:
    step = start("PLAIN", b64(b"\x00u\x00" + b"p" * 5000))
    assert step == SaslError("response too long")


def test_cancel_star() -> None:
    step = start("PLAIN")
    assert isinstance(step, Challenge)
    assert step.feed(b"*\r\n") == Cancelled()
    assert start("LOGIN", b"*") == Cancelled()


def test_login_exchange() -> None:
    step = start("LOGIN", None)
    assert isinstance(step, Challenge)
    assert step.wire() == b64(b"Username:")
    step = step.feed(b64(b"carol"))
    assert isinstance(step, Challenge)
    assert step.wire() == b64(b"Password:")
    assert step.feed(b64(b"hunter2")) == Credentials("", "carol", "hunter2")


def test_login_with_initial_username() -> None:
    step = start("LOGIN", b64(b"carol"))
    assert isinstance(step, Challenge) and step.data == b"Password:"
    assert step.feed(b64(b"pw")) == Credentials("", "carol", "pw")


def test_login_rejects_empty_fields_and_cancel_midway() -> None:
    step = start("LOGIN")
    assert isinstance(step, Challenge)
    assert isinstance(step.feed(b""), SaslError)
    step2 = step.feed(b64(b"dave"))
    assert isinstance(step2, Challenge)
    assert isinstance(step2.feed(b"="), SaslError)
    assert step2.feed(b"*") == Cancelled()


def test_unknown_mechanism() -> None:
    assert isinstance(start("CRAM-MD5", None), SaslError)
    assert set(MECHANISMS) == {"PLAIN", "LOGIN"}


def test_sasl_error_can_be_raised() -> None:
    err = start("NOPE")
    assert isinstance(err, SaslError)
    try:
        raise err
    except SaslError as caught:
        assert "unsupported" in caught.reason


STEP_TYPES = (Challenge, Credentials, Cancelled, SaslError)


@given(st.sampled_from(["PLAIN", "LOGIN", "X"]), st.one_of(st.none(), st.binary(max_size=300)),
       st.lists(st.binary(max_size=300), max_size=4))
def test_any_bytes_only_steps(mech: str, initial: bytes | None, lines: list[bytes]) -> None:
    step = start(mech, initial)
    assert isinstance(step, STEP_TYPES)
    for line in lines:
        if not isinstance(step, Challenge):
            break
        step = step.feed(line)
        assert isinstance(step, STEP_TYPES)


@given(st.binary(max_size=200), st.binary(min_size=1, max_size=60), st.binary(min_size=1, max_size=60))
def test_plain_roundtrip(authz: bytes, user: bytes, pw: bytes) -> None:
    step = start("PLAIN", b64(authz + b"\x00" + user + b"\x00" + pw))
    ok = all(b"\x00" not in x for x in (authz, user, pw))
    try:
        texts = [x.decode() for x in (authz, user, pw)]
    except UnicodeDecodeError:
        ok = False
    if ok:
        assert step == Credentials(*texts)
    else:
        assert isinstance(step, SaslError)
