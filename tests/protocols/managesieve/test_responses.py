"""ManageSieve response formatting."""

from __future__ import annotations

import pytest

from postvak.protocols.managesieve import (
    ACTIVE,
    ALREADYEXISTS,
    NONEXISTENT,
    QUOTA_MAXSIZE,
    REFERRAL,
    SASL,
    TAG,
    WARNINGS,
    Code,
    bye,
    capability,
    getscript,
    listscripts,
    no,
    ok,
    sasl_challenge,
    sasl_done,
    string,
)


def test_status_lines() -> None:
    assert ok() == b"OK\r\n"
    assert ok("Logout completed") == b'OK "Logout completed"\r\n'
    assert no("no such script", NONEXISTENT) == b'NO (NONEXISTENT) "no such script"\r\n'
    assert no("too big", QUOTA_MAXSIZE) == b'NO (QUOTA/MAXSIZE) "too big"\r\n'
    assert no("exists", ALREADYEXISTS) == b'NO (ALREADYEXISTS) "exists"\r\n'
    assert no("active", ACTIVE) == b'NO (ACTIVE) "active"\r\n'
    assert ok("done", Code(TAG, "STARTTLS-SYNC-42")) == b'OK (TAG "STARTTLS-SYNC-42") "done"\r\n'
    assert bye("go", Code(REFERRAL, "sieve://other.example")) == b'BYE (REFERRAL sieve://other.example) "go"\r\n'
    assert ok("saved", WARNINGS) == b'OK (WARNINGS) "saved"\r\n'


def test_codes_validated() -> None:
    with pytest.raises(ValueError):
        Code("NOPE")
    with pytest.raises(ValueError):
        Code(SASL)
    with pytest.raises(ValueError):
        Code(NONEXISTENT, "x")


def test_string_quoting_and_literals() -> None:
    assert string('a"b\\c') == b'"a\\"b\\\\c"'
    assert string("line1\r\nline2") == b"{12}\r\nline1\r\nline2"
    assert string("x" * 1025).startswith(b"{1025}\r\n")
    assert no("line 3: error\nline 5: error") == b'NO {27}\r\nline 3: error\nline 5: error\r\n'


def test_sasl_lines() -> None:
    assert sasl_challenge(b"VXNlcm5hbWU6") == b'"VXNlcm5hbWU6"\r\n'
    assert sasl_challenge(b"") == b'""\r\n'
    assert sasl_done() == b"OK\r\n"
    assert sasl_done(b"dj1ZWQ==") == b'OK (SASL "dj1ZWQ==")\r\n'


def test_capability() -> None:
    got = capability(implementation="Postvak", sasl=["plain", "LOGIN"], sieve=["fileinto", "vacation"],
                     starttls=True, maxredirects=4, notify=["mailto"], language="en", owner="a@b")
    assert got == (
        b'"IMPLEMENTATION" "Postvak"\r\n"SASL" "PLAIN LOGIN"\r\n"SIEVE" "fileinto vacation"\r\n'
        b'"STARTTLS"\r\n"MAXREDIRECTS" "4"\r\n"NOTIFY" "mailto"\r\n"LANGUAGE" "en"\r\n"OWNER" "a@b"\r\n'
        b'"VERSION" "1.0"\r\nOK\r\n'
    )
    minimal = capability(implementation="P", sasl=[], sieve=["fileinto"])
    assert b'"SASL" ""\r\n' in minimal and b"STARTTLS" not in minimal and b"OWNER" not in minimal


def test_listscripts_and_getscript() -> None:
    assert listscripts([("a", False), ("vacation", True)]) == b'"a"\r\n"vacation" ACTIVE\r\nOK\r\n'
    assert listscripts([]) == b"OK\r\n"
    assert getscript(b"keep;\r\n") == b"{7}\r\nkeep;\r\n\r\nOK\r\n"
