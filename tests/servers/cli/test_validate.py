"""The admin input checks: addresses, domains, sizes (unit and property tests)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.servers.cli import validate
from postvak.servers.cli.errors import CliError


@pytest.mark.parametrize(("text", "expected"), [
    ("alice@example.org", "alice@example.org"),
    ("Alice.Smith@Example.ORG", "Alice.Smith@example.org"),
    ("first.last+shop@mail.example.org", "first.last+shop@mail.example.org"),
    ("o'brien@example.org", "o'brien@example.org"),
    ("jörg@bücher.example", "jörg@bücher.example"),
])
def test_good_addresses(text: str, expected: str) -> None:
    assert validate.address(text) == expected


@pytest.mark.parametrize("text", [
    "", "alice", "@example.org", "alice@", "a b@example.org", "a..b@example.org", ".a@example.org",
    "a.@example.org", "a@b@example.org", "alice@-example.org", "alice@exa_mple.org", "alice@example..org",
    '"quoted"@example.org', "a" * 65 + "@example.org",
])
def test_bad_addresses(text: str) -> None:
    with pytest.raises(CliError, match="not a mail address"):
        validate.address(text)


def test_alias_addresses_allow_catch_all() -> None:
    assert validate.alias_address("@Example.Org") == "@example.org"
    with pytest.raises(CliError):
        validate.alias_address("@")


@pytest.mark.parametrize(("text", "expected"), [
    ("500M", 500 * 1024**2), ("2G", 2 * 1024**3), ("2g", 2 * 1024**3), ("1.5G", int(1.5 * 1024**3)),
    ("100k", 102400), ("1048576", 1048576), ("10MiB", 10 * 1024**2), ("10MB", 10 * 1024**2),
    ("0", None), ("none", None), ("Unlimited", None),
])
def test_sizes(text: str, expected: int | None) -> None:
    assert validate.size(text) == expected


@pytest.mark.parametrize("text", ["", "lots", "-5", "5X", "M", "1e9"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(CliError, match="not a size"):
        validate.size(text)


def test_human_size() -> None:
    assert validate.human_size(None) == "unlimited"
    assert validate.human_size(0) == "0 B"
    assert validate.human_size(500 * 1024**2) == "500.0 MiB"
    assert validate.human_size(3 * 1024**4) == "3072.0 GiB"


@given(st.text(max_size=80))
def test_address_check_only_raises_cli_error(text: str) -> None:
    try:
        result = validate.address(text)
    except CliError:
        return
    local, _, domain = result.rpartition("@")
    assert local and domain == domain.lower() and " " not in result


@given(st.text(max_size=20))
def test_size_check_only_raises_cli_error(text: str) -> None:
    try:
        result = validate.size(text)
    except CliError:
        return
    assert result is None or result > 0
