"""Errors of the Sieve engine: syntax (compile time) and runtime (evaluation)."""

from __future__ import annotations


class SieveSyntaxError(Exception):
    """A script that cannot be compiled; `line` is 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.message = message
        self.line = line


class SieveRuntimeError(Exception):
    """Raised inside evaluation; evaluate() turns it into plan.errors + implicit keep
    (RFC 5228 2.10.6: a runtime error falls back to the implicit keep)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.message = message
        self.line = line
