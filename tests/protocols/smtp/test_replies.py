"""Named SMTP replies: code and enhanced code agree; formatting."""

from __future__ import annotations

import re

import pytest

from postvak.protocols.smtp import Reply, all_replies, multiline
from postvak.protocols.smtp import replies as R

# RFC 3463 / RFC 5248 subject.detail codes we use, with the reply codes they fit.
REGISTRY = {
    "0.0": None, "1.1": {550, 551, 553}, "1.3": {501, 553}, "1.6": {551}, "1.10": {556},
    "2.1": {450}, "2.2": {552}, "3.0": {451}, "3.1": {452}, "3.2": {421, 521}, "3.4": {552},
    "4.2": {421}, "5.0": {451, 252}, "5.1": {502, 503, 554}, "5.2": {500}, "5.3": {452}, "5.4": {501, 504, 555},
    "5.6": {500}, "7.0": {421, 454, 530, 235, 452}, "7.1": {550, 553, 554}, "7.8": {535}, "7.9": {534},
    "7.11": {538}, "1.0": {250}, "1.5": {250},
}


@pytest.mark.parametrize(("name", "reply"), sorted(all_replies().items()))
def test_name_code_and_enhanced_agree(name: str, reply: Reply) -> None:
    match = re.match(r"^S(\d{3})_[A-Z0-9_]+$", name)
    assert match, name
    assert int(match.group(1)) == reply.code
    if reply.enhanced is None:
        assert reply.code in (220, 334, 354)  # greeting and intermediates carry none
        return
    klass, subject, detail = reply.enhanced.split(".")
    assert int(klass) == reply.code // 100, "class digit must equal the reply's first digit"
    key = f"{subject}.{detail}"
    assert key in REGISTRY, f"{reply.enhanced} not in the registry table"
    allowed = REGISTRY[key]
    assert allowed is None or reply.code in allowed, (name, reply)


def test_required_names_exist() -> None:
    names = set(all_replies())
    for needed in [
        "S250_OK", "S354_START_DATA", "S421_SHUTTING_DOWN", "S451_LOCAL_ERROR", "S452_TOO_MANY_RECIPIENTS",
        "S452_QUOTA_DAILY", "S454_TLS_UNAVAILABLE", "S501_SYNTAX_ARGS", "S502_NOT_IMPLEMENTED",
        "S503_BAD_SEQUENCE", "S504_NOT_IMPLEMENTED_PARAM", "S530_AUTH_REQUIRED", "S535_AUTH_FAILED",
        "S538_ENCRYPTION_REQUIRED", "S550_NO_SUCH_USER", "S550_POLICY", "S552_MESSAGE_TOO_BIG",
        "S552_MAILBOX_FULL", "S553_SENDER_NOT_OWNED", "S554_RELAY_DENIED", "S554_TRANSACTION_FAILED",
        "S521_NO_MAIL",
    ]:
        assert needed in names, needed
    assert R.S452_TOO_MANY_RECIPIENTS.enhanced == "4.5.3"
    assert R.S501_SYNTAX_ARGS.enhanced == "5.5.4"
    assert R.S503_BAD_SEQUENCE.enhanced == "5.5.1"
    assert R.S530_AUTH_REQUIRED.enhanced == "5.7.0"
    assert R.S535_AUTH_FAILED.enhanced == "5.7.8"
    assert R.S538_ENCRYPTION_REQUIRED.enhanced == "5.7.11"
    assert R.S550_NO_SUCH_USER.enhanced == "5.1.1"
    assert R.S552_MESSAGE_TOO_BIG.enhanced == "5.3.4"
    assert R.S552_MAILBOX_FULL.enhanced == "5.2.2"
    assert R.S554_RELAY_DENIED.enhanced == "5.7.1"


def test_str_and_wire() -> None:
    assert str(R.S550_NO_SUCH_USER) == "550 5.1.1 No such user here"
    assert R.S550_NO_SUCH_USER.wire() == b"550 5.1.1 No such user here\r\n"
    assert str(R.S354_START_DATA) == "354 End data with <CR><LF>.<CR><LF>"
    assert R.S550_POLICY.with_text("go away").wire() == b"550 5.7.1 go away\r\n"


def test_multiline_formatting() -> None:
    reply = Reply(550, "5.7.1", "first\nsecond\nthird")
    assert reply.wire() == b"550-5.7.1 first\r\n550-5.7.1 second\r\n550 5.7.1 third\r\n"
    assert str(reply) == "550-5.7.1 first\r\n550-5.7.1 second\r\n550 5.7.1 third"
    assert multiline(250, ["mail.example.org", "PIPELINING", "SIZE 52428800"]) == (
        b"250-mail.example.org\r\n250-PIPELINING\r\n250 SIZE 52428800\r\n"
    )


def test_text_cannot_inject_crlf() -> None:
    assert Reply(250, None, "a\r\n250 fake").wire().count(b"\r\n") == 2


def test_bad_replies_refused() -> None:
    with pytest.raises(ValueError):
        Reply(650, None, "x")
    with pytest.raises(ValueError):
        Reply(550, "5.1", "x")
