"""Envelope path grammar, relay-probe forms, plus addressing; fuzzed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.protocols.smtp import (
    NullPath,
    Path,
    SmtpError,
    parse_path,
    relay_probe_reason,
    relay_safe_local_part,
    split_detail,
)


def test_plain_addresses() -> None:
    assert parse_path("<alice@Example.ORG>") == Path("alice", "example.org")
    assert parse_path("bob.smith@mail.example.org") == Path("bob.smith", "mail.example.org")
    assert parse_path("<first.last+shop@example.org>").local == "first.last+shop"
    assert str(parse_path("<a@b.c>")) == "a@b.c"


def test_null_path_only_where_allowed() -> None:
    assert parse_path("<>", null_ok=True) == NullPath()
    assert parse_path("", null_ok=True) == NullPath()
    with pytest.raises(SmtpError) as caught:
        parse_path("<>")
    assert caught.value.reply.code == 501


def test_postmaster_without_domain_for_rcpt() -> None:
    assert parse_path("<Postmaster>", postmaster_ok=True) == Path("Postmaster", "")
    assert parse_path("<postmaster>", postmaster_ok=True).address == "Postmaster"
    with pytest.raises(SmtpError):
        parse_path("<postmaster>")


def test_quoted_local_part() -> None:
    path = parse_path('<"john doe"@example.org>')
    assert isinstance(path, Path)
    assert path.local == "john doe" and path.quoted
    assert path.address == '"john doe"@example.org'
    assert parse_path(r'<"a\"b"@x.org>').local == 'a"b'


def test_source_route_stripped_and_kept_for_logs() -> None:
    path = parse_path("<@relay1.example,@relay2.example:user@target.example>")
    assert isinstance(path, Path)
    assert path.address == "user@target.example"
    assert path.route == ("relay1.example", "relay2.example")
    assert relay_probe_reason(path) is None  # the route is gone; user@target is judged alone


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<user%remote.example@local.example>", "percent hack"),
        ("<remote.example!user@local.example>", "bang path"),
        ('<"user@remote.example"@local.example>', "quoted local part with @"),
        ("<user@[192.0.2.1]>", "address literal"),
        ("<user@[IPv6:2001:db8::1]>", "address literal"),
        ('<"us er"@local.example>', "unusual local part"),
    ],
)
def test_relay_probe_forms_are_valid_syntax_but_flagged(text: str, reason: str) -> None:
    path = parse_path(text)
    assert isinstance(path, Path)
    assert relay_probe_reason(path) == reason
    assert not relay_safe_local_part(path.local) or path.literal


@pytest.mark.parametrize(
    "text",
    [
        "<user@remote@local>", "<@a:>", "<@a,b:user@c>", "<user>", "<user@>", "<@domain>", "<a@b",
        "a@b>", "<a..b@c>", "<.a@c>", "<a.@c>", "<a b@c>", "<a@-b.c>", "<a@b-.c>", "<a@b..c>",
        "<a@[1.2.3]>", "<a@[IPv6:zz]>", "<a@[1.2.3.4>", '<"unterminated@c>', "<a\x00b@c>",
        "<" + "a" * 65 + "@b.c>", "<a@" + "b" * 300 + ".c>", "<a@b_c.d>", "<äb@c.d>", "<a@bä.d>",
    ],
)
def test_bad_syntax(text: str) -> None:
    with pytest.raises(SmtpError) as caught:
        parse_path(text)
    assert caught.value.reply.code in (501, 553)


def test_smtputf8_addresses() -> None:
    path = parse_path("<jörg@bücher.example>", smtputf8=True)
    assert isinstance(path, Path)
    assert path.local == "jörg" and path.domain == "bücher.example"
    with pytest.raises(SmtpError) as caught:
        parse_path("<jörg@example.org>")
    assert caught.value.reply.code == 553


def test_relay_safe_local_part() -> None:
    assert relay_safe_local_part("first.last+shop")
    assert relay_safe_local_part("jörg")
    for bad in ["", "a%b", "a!b", "a@b", 'a"b', "a b", "a..b", ".a", "a" * 65, "a\\b"]:
        assert not relay_safe_local_part(bad), bad


def test_split_detail() -> None:
    assert split_detail("first.last+shop") == ("first.last", "shop")
    assert split_detail("first.last") == ("first.last", None)
    assert split_detail("a+b+c") == ("a", "b+c")
    assert split_detail("a+") == ("a", "")
    assert split_detail("+x") == ("+x", None)
    assert split_detail("a-b", sep="-") == ("a", "b")
    assert split_detail("a+b", sep="") == ("a+b", None)


@given(st.text(max_size=80), st.booleans(), st.booleans())
def test_any_text_parses_or_raises_smtp_error(text: str, utf8: bool, null_ok: bool) -> None:
    try:
        result = parse_path(text, smtputf8=utf8, null_ok=null_ok, postmaster_ok=True)
    except SmtpError as err:
        assert err.reply.code in (501, 553)
        return
    assert isinstance(result, (Path, NullPath))
    if isinstance(result, Path) and result.domain:
        # what we print parses back to the same thing
        assert parse_path(f"<{result.address}>", smtputf8=True) == Path(
            result.local, result.domain, result.quoted, result.literal
        )
