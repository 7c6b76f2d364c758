"""What every admin command needs: the settings (loaded once) and the store (opened once)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from postvak.config import Settings, load_settings
from postvak.servers.cli.errors import CliError

DEFAULT_CONFIG = "./var/postvak.toml"


def default_config_path(env: Mapping[str, str]) -> str:
    return env.get("POSTVAK_CONFIG") or DEFAULT_CONFIG


def sqlite_path(url: str) -> str | None:
    """The database file of a sqlite:/// URL (None for other databases)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    path = url[len(prefix):].split("?", 1)[0]
    return None if not path or path.startswith(":memory:") else path


class CliContext:
    def __init__(self, config_path: str | None, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env
        self.config_path = config_path or default_config_path(self.env)
        self._settings: Settings | None = None
        self._store: Any = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path, env=self.env)
        return self._settings

    @property
    def store(self) -> Any:
        """The store, migrated to the current schema; refuses to create a database by accident."""
        if self._store is None:
            from postvak.store import open_store

            s = self.settings
            db_file = sqlite_path(s.store.url)
            if db_file is not None and not os.path.exists(db_file):
                raise CliError(f"no store at {db_file} (run `postvak init DIR` first)")
            self._store = open_store(s.store.url, blob_backend=s.store.blob_backend, blob_dir=s.store.blob_dir, blob_inline_max=s.store.blob_inline_max)
            self._store.migrate()
        return self._store

    def read(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self.store.read(fn, *args, **kwargs)

    def write(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return self.store.write(fn, *args, **kwargs)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
