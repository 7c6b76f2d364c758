"""Helpers for the Sieve tests: build a message and run a script against it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from postvak.filters.sieve import Environment, Limits, MessageContext, Plan, compile, evaluate

DEFAULT_HEADERS = {
    "From": "Coyote <coyote@desert.example.org>",
    "To": "me@example.com",
    "Subject": "Frobnitz",
    "Date": "Tue, 1 Apr 1997 09:06:31 -0800",
    "Message-ID": "<1234@desert.example.org>",
}


def make_raw(headers: dict[str, Any] | list[tuple[str, str]] | None = None, body: str = "Hello\r\n") -> bytes:
    items = list(DEFAULT_HEADERS.items()) if headers is None else (
        list(headers.items()) if isinstance(headers, dict) else headers)
    lines = []
    for name, value in items:
        for v in value if isinstance(value, list) else [value]:
            lines.append(f"{name}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")


class Runner:
    def __call__(
        self,
        script: str,
        headers: Any = None,
        body: str = "Hello\r\n",
        *,
        raw: bytes | None = None,
        env: Environment | None = None,
        limits: Limits | None = None,
        loader: Any = None,
        **ctx: Any,
    ) -> Plan:
        ctx.setdefault("envelope_from", "coyote@desert.example.org")
        ctx.setdefault("envelope_to", "me@example.com")
        ctx.setdefault("now", datetime(2007, 7, 1, 12, 0, tzinfo=UTC))
        message = MessageContext(raw if raw is not None else make_raw(headers, body), **ctx)
        compiled = compile(script, loader=loader, limits=limits)
        return evaluate(compiled, message, env=env or Environment(), limits=limits or Limits())


@pytest.fixture
def run() -> Runner:
    return Runner()
