"""Fixtures for POP3 session tests: a real SQLite store and runner, no sockets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.pop3.pop3_client import Env, close_env, make_env


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[Env]:
    e = make_env(tmp_path)
    try:
        yield e
    finally:
        close_env(e)

