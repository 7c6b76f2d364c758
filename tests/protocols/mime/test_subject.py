"""RFC 5256 2.1 base subject extraction."""

from __future__ import annotations

import pytest

from postvak.protocols.mime import base_subject, parse_message


@pytest.mark.parametrize(
    "subject,base,reply",
    [
        ("Hello", "Hello", False),
        ("Re: Hello", "Hello", True),
        ("RE: re: Re:Hello", "Hello", True),
        ("Fwd: Hello", "Hello", True),
        ("Fw: Hello", "Hello", True),
        ("Re[2]: Hello", "Hello", True),
        ("Re [2]: Hello", "Hello", True),
        ("[list] Re: Hello", "Hello", True),
        ("[list] Hello", "Hello", False),
        ("Re: [list] Re: Hello", "Hello", True),
        ("Hello (fwd)", "Hello", True),
        ("Hello (fwd) (FWD)  ", "Hello", True),
        ("[Fwd: Hello]", "Hello", True),
        ("[fwd: Re: [list] Hello (fwd)]", "Hello", True),
        ("Re: [Fwd: Hello]", "Hello", True),
        # a blob is only removed if something remains
        ("[only-blob]", "[only-blob]", False),
        ("Re: [only-blob]", "[only-blob]", True),
        ("  Hello\t  world  ", "Hello world", False),
        ("", "", False),
        ("Re:", "", True),
        ("Reply to this", "Reply to this", False),
        ("Fwdx: Hello", "Fwdx: Hello", False),
    ],
)
def test_base_subject(subject: str, base: str, reply: bool) -> None:
    assert base_subject(subject) == (base, reply)


def test_base_subject_decodes_encoded_words_first() -> None:
    p = parse_message(b"Subject: =?utf-8?q?Re=3A_=5Blist=5D_na=C3=AFve?=\r\n\r\n")
    assert p.subject == "Re: [list] naïve"
    assert p.base_subject == "naïve" and p.is_reply
