"""aiosmtpd's own replies get the enhanced status code RFC 2034 3 asks for."""

from __future__ import annotations

import re

import pytest

from postvak.servers.smtp.bare_replies import _EXACT, with_enhanced_code

ENHANCED = re.compile(r"^([245])\d\d ([245])\.\d{1,3}\.\d{1,3} \S")


@pytest.mark.parametrize("bare", sorted(_EXACT))
def test_every_mapped_reply_keeps_its_code_and_gains_a_matching_class(bare: str) -> None:
    fixed = with_enhanced_code(bare)
    m = ENHANCED.match(fixed)
    assert m is not None, fixed
    assert fixed[:3] == bare[:3] and m.group(1) == m.group(2)  # RFC 3463 2: class = first digit


def test_unknown_verb_is_not_echoed() -> None:
    # aiosmtpd echoes the client's bytes, a bare CR among them; the reply must not.
    fixed = with_enhanced_code('500 Error: command "HELP\rQUIT" not recognized')
    assert fixed == "500 5.5.2 Syntax error, command unrecognized"


@pytest.mark.parametrize(("bare", "expected"), [
    ("250 Supported commands: HELO NOOP", "250 2.0.0 Supported commands: HELO NOOP"),
    ("501 Supported commands: HELO NOOP", "501 5.5.4 Supported commands: HELO NOOP"),
    ("250 Syntax: NOOP [ignored]", "250 2.0.0 Syntax: NOOP [ignored]"),
])
def test_help_replies_keep_their_text(bare: str, expected: str) -> None:
    assert with_enhanced_code(bare) == expected


@pytest.mark.parametrize("ours", [
    "250 2.1.0 Sender OK",
    "550 5.1.1 No such user here",
    "250-mail.example.test\r\n250-PIPELINING\r\n250 CHUNKING",  # EHLO: exempt, multi-line
    "250 mail.example.test",  # HELO: exempt
    "334 VXNlcm5hbWU6",
    "220 mail.example.test Postvak ESMTP ready",
])
def test_replies_that_need_nothing_pass_unchanged(ours: str) -> None:
    assert with_enhanced_code(ours) == ours
