"""The one error the config layer raises: always names the file (or variable) and the key."""

from __future__ import annotations


class ConfigError(Exception):
    """A bad configuration value; str() is one line fit for the terminal:
    "postvak.toml: limits.line_length: expected an integer >= 512, got 'abc'"."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        self.source = source
        self.key = key
        self.reason = reason
        super().__init__(f"{source}: {key}: {reason}" if key else f"{source}: {reason}")
