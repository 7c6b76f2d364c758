"""RFC 5322 address lists as IMAP ENVELOPE addresses, and formatting back."""

from __future__ import annotations

import pytest

from postvak.protocols.mime import Address, addr_specs, format_address, format_addresses, parse_addresses

END = Address(None, None, None, None)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("a@b.c", (Address(None, None, "a", "b.c"),)),
        ("  Ann  Lee  <ann@x.test> ", (Address("Ann Lee", None, "ann", "x.test"),)),
        ('"Lee, Ann" <ann@x.test>', (Address("Lee, Ann", None, "ann", "x.test"),)),
        ("<ann@x.test>", (Address(None, None, "ann", "x.test"),)),
        ("ann@x.test (Ann Lee)", (Address("Ann Lee", None, "ann", "x.test"),)),
        ("Ann (comment) <ann@x.test> (trailing)", (Address("Ann", None, "ann", "x.test"),)),
        ('"john doe"@x.test', (Address(None, None, '"john doe"', "x.test"),)),
        ("john . doe @ x . test", (Address(None, None, "john.doe", "x.test"),)),
        ("a@[192.0.2.1]", (Address(None, None, "a", "[192.0.2.1]"),)),
        ("<@r1.test,@r2.test:a@b.test>", (Address(None, "@r1.test,@r2.test", "a", "b.test"),)),
        ("Joe Q. Public <j@x.test>", (Address("Joe Q. Public", None, "j", "x.test"),)),
        ("=?utf-8?q?J=C3=B6rg?= <j@x.test>", (Address("=?utf-8?q?J=C3=B6rg?=", None, "j", "x.test"),)),
        ("localonly", (Address(None, None, "localonly", ""),)),
        ("a@b, , c@d,", (Address(None, None, "a", "b"), Address(None, None, "c", "d"))),
        ("", ()),
        ("G: ;", (Address(None, None, "G", None), END)),
        (
            "G: a@b, C <c@d>",
            (
                Address(None, None, "G", None),
                Address(None, None, "a", "b"),
                Address("C", None, "c", "d"),
                END,
            ),
        ),
        (
            "x@y, G:a@b;, z@w",
            (
                Address(None, None, "x", "y"),
                Address(None, None, "G", None),
                Address(None, None, "a", "b"),
                END,
                Address(None, None, "z", "w"),
            ),
        ),
        ('"unterminated <a@b>', (Address(None, None, '"unterminated <a@b>"', ""),)),
        ("Broken <a@b", (Address("Broken", None, "a", "b"),)),
    ],
)
def test_parse(value: str, expected: tuple[Address, ...]) -> None:
    assert parse_addresses(value) == expected
    assert parse_addresses(value.encode()) == expected


def test_format_round_trip() -> None:
    value = 'Ann Lee <ann@x.test>, "Lee, Bob" <bob@x.test>, team: c@x.test;, plain@x.test'
    addrs = parse_addresses(value)
    text = format_addresses(addrs)
    assert text == 'Ann Lee <ann@x.test>, "Lee, Bob" <bob@x.test>, team: c@x.test;, plain@x.test'
    assert parse_addresses(text) == addrs
    assert format_address(Address('say "hi"', None, "a", "b")) == '"say \\"hi\\"" <a@b>'
    assert format_address(Address(None, "@r.test", "a", "b")) == "<@r.test:a@b>"


def test_addr_specs_lower_case_and_skip_groups() -> None:
    assert addr_specs(parse_addresses("G: A@X.Test;, B <b@Y.test>")) == "a@x.test,b@y.test"
