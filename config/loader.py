"""load_settings: defaults.toml, then the config file, then POSTVAK_* environment overrides.

Every layer is checked against the defaults (unknown keys, types, ranges) and a
problem raises ConfigError naming where it came from and the key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from postvak.config.errors import ConfigError
from postvak.config.schema import check
from postvak.config.settings import Settings

DEFAULTS_PATH = Path(__file__).with_name("defaults.toml")
ENV_PREFIX = "POSTVAK_"
# Settings holding file paths: "{data_dir}" is expanded and relative paths are
# resolved against the config file's folder.
PATH_KEYS = (("server", "pid_file"), ("server", "log_file"), ("store", "blob_dir"), ("tls", "cert"), ("tls", "key"))


def load_defaults() -> dict[str, Any]:
    with open(DEFAULTS_PATH, "rb") as fh:
        return tomllib.load(fh)


def load_settings(path: str | os.PathLike[str] | None, env: Mapping[str, str] = os.environ) -> Settings:
    """Defaults, then the TOML file at `path` (if any), then env overrides; validated and frozen."""
    data = load_defaults()
    config_path: str | None = None
    if path is not None:
        source = str(path)
        config_path = os.path.abspath(source)
        try:
            with open(config_path, "rb") as fh:
                from_file = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(source, "", "no such file (create one with `postvak init DIR`)") from None
        except OSError as exc:
            raise ConfigError(source, "", f"cannot read: {exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(source, "", f"not valid TOML: {exc}") from None
        _merge(data, from_file, (), source)
    for var, key_path, raw in _env_overrides(env):
        _merge(data, _nest(key_path, _env_value(data, key_path, raw, var)), (), f"environment {var}")
    base = os.path.dirname(config_path) if config_path else os.getcwd()
    _resolve_paths(data, base)
    _cross_checks(data, str(path) if path is not None else "settings")
    return Settings(data, config_path)


def _merge(into: dict[str, Any], override: Mapping[str, Any], prefix: tuple[str, ...], source: str) -> None:
    for key, value in override.items():
        where = prefix + (key,)
        dotted = ".".join(where)
        if key not in into:
            raise ConfigError(source, dotted, "unknown setting")
        default = into[key]
        if isinstance(default, dict):
            if not isinstance(value, Mapping):
                raise ConfigError(source, dotted, f"expected a table, got {value!r}")
            _merge(default, value, where, source)
            continue
        if isinstance(value, Mapping):
            raise ConfigError(source, dotted, "expected a value, got a table")
        try:
            into[key] = check(where, value, default)
        except ValueError as exc:
            raise ConfigError(source, dotted, str(exc)) from None


def _env_overrides(env: Mapping[str, str]) -> list[tuple[str, tuple[str, ...], str]]:
    """POSTVAK_SECTION__KEY (and POSTVAK_LISTENERS__NAME__KEY); other POSTVAK_* names are not settings."""
    found = []
    for var in sorted(env):
        if var.startswith(ENV_PREFIX) and "__" in var:
            parts = tuple(p.lower() for p in var[len(ENV_PREFIX):].split("__"))
            found.append((var, parts, env[var]))
    return found


def _nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    for key in reversed(path):
        value = {key: value}
    return value


def _default_at(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = data
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _toml_scalar(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _env_value(data: Mapping[str, Any], path: tuple[str, ...], raw: str, var: str) -> Any:
    """Parse an env string as a TOML value; strings stay as written; lists also accept "a,b"."""
    default = _default_at(data, path)
    if isinstance(default, str):
        return raw
    if isinstance(default, (list, tuple)):
        parsed = _toml_scalar(raw)
        if isinstance(parsed, list):
            return parsed
        inner = default[0] if default else ""
        items = [item.strip() for item in raw.split(",") if item.strip()]
        return items if isinstance(inner, str) else [_toml_scalar(item) for item in items]
    return _toml_scalar(raw)


def _resolve_paths(data: dict[str, Any], base: str) -> None:
    server = data["server"]
    data_dir = os.path.normpath(os.path.join(base, os.path.expanduser(server["data_dir"])))
    server["data_dir"] = data_dir
    for section, key in PATH_KEYS:
        value = data[section][key]
        if value:
            value = os.path.expanduser(value.replace("{data_dir}", data_dir))
            data[section][key] = os.path.normpath(os.path.join(base, value))
    data["store"]["url"] = _resolve_url(data["store"]["url"].replace("{data_dir}", data_dir), base)


def _resolve_url(url: str, base: str) -> str:
    """sqlite:///relative.db is relative to the config folder, as every other path here."""
    prefix = "sqlite:///"
    if url.startswith(prefix):
        rest = url[len(prefix):]
        if rest and not rest.startswith("/") and not rest.startswith(":memory:"):
            return prefix + os.path.normpath(os.path.join(base, rest))
    return url


def _cross_checks(data: Mapping[str, Any], source: str) -> None:
    offset = data["server"]["port_offset"]
    for name, listener in data["listeners"].items():
        if listener["enabled"] and listener["port"] + offset > 65535:
            raise ConfigError(source, f"listeners.{name}.port",
                              f"{listener['port']} + server.port_offset {offset} is above 65535")
    sync = data["activesync"]
    if sync["heartbeat_min"] > sync["heartbeat_max"]:
        raise ConfigError(source, "activesync.heartbeat_min", "must not exceed activesync.heartbeat_max")
    auth = data["auth"]
    if auth["failure_delay_base"] > auth["failure_delay_max"]:
        raise ConfigError(source, "auth.failure_delay_base", "must not exceed auth.failure_delay_max")
    if data["store"]["blob_backend"] == "files" and not data["store"]["blob_dir"]:
        raise ConfigError(source, "store.blob_dir", "needed when store.blob_backend = \"files\"")
