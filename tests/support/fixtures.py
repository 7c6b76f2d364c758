"""pytest fixtures around RunningServer; imported by tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.server import RunningServer


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One `postvak serve` per test module, with user alice@example.test / alice-secret-1."""
    server = RunningServer(tmp_path_factory.mktemp("postvak"))
    try:
        server.add_user("alice@example.test", "alice-secret-1")
        server.add_user("bob@example.test", "bob-secret-1")
        yield server
    finally:
        code = server.stop()
        assert code == 0, f"postvak serve exited {code} on SIGTERM:\n{server.log_since_start()}"
