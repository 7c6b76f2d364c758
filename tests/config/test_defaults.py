"""defaults.toml documents every key with a one-line comment, and the rules table matches it."""

from __future__ import annotations

import tomllib

from postvak.config.loader import DEFAULTS_PATH, load_defaults
from postvak.config.schema import RULES, check


def keys(table: dict, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for key, value in table.items():
        if isinstance(value, dict):
            found += keys(value, prefix + (key,))
        else:
            found.append(prefix + (key,))
    return found


def test_every_key_has_a_comment_line_above_it() -> None:
    lines = DEFAULTS_PATH.read_text(encoding="utf-8").splitlines()
    undocumented = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith(("#", "[")) and "=" in stripped:
            if i == 0 or not lines[i - 1].strip().startswith("#"):
                undocumented.append(stripped.split("=")[0].strip())
    assert undocumented == []


def test_required_sections_exist() -> None:
    data = load_defaults()
    for section in ("server", "store", "tls", "listeners", "auth", "limits", "submission", "outbound",
                    "delivery", "spam", "sieve", "activesync", "pop3", "imap", "log"):
        assert section in data, section


def test_every_default_passes_its_own_rule() -> None:
    with open(DEFAULTS_PATH, "rb") as fh:
        data = tomllib.load(fh)
    for path in keys(data):
        value = data
        for key in path:
            value = value[key]
        check(path, value, value)


def test_every_rule_names_an_existing_key() -> None:
    data = load_defaults()
    for dotted in RULES:
        section, *rest = dotted.split(".")
        assert section in data, dotted
        if rest[0] == "*":
            assert all(rest[1] in table for table in data[section].values()), dotted
        else:
            assert rest[0] in data[section], dotted
