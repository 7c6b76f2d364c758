"""The `env` fixture (real store, runner, auth, change bus; sessions driven directly)."""

from tests.servers.imap.harness import env  # noqa: F401
