"""Helpers for the ActiveSync end-to-end tests: a pyactivesync client on the
fixture server, with the CA bundle variables cleared as pyactivesync needs."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _no_ca_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    os.environ.pop("REQUESTS_CA_BUNDLE", None)


@pytest.fixture()
def eas(tmp_path):
    """A real store behind ActiveSync's request mapping (tests/servers/activesync/handler_env.py)."""
    from tests.servers.activesync.handler_env import EasEnv

    env = EasEnv(tmp_path)
    try:
        yield env
    finally:
        env.close()
