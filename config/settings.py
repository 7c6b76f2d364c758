"""Settings: a frozen, attribute-accessible view of the merged configuration."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any


class Section(Mapping[str, Any]):
    """One table: `section.key`, `section["key"]`, `section.get("key")`; nested tables are Sections."""

    __slots__ = ("_name", "_data")

    def __init__(self, name: str, data: Mapping[str, Any]) -> None:
        frozen = {k: _freeze(f"{name}.{k}", v) for k, v in data.items()}
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_data", MappingProxyType(frozen))

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(f"no setting {self._name}.{key}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("settings are read-only")

    def __getitem__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise KeyError(f"no setting {self._name}.{key}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Section({self._name!r}, {dict(self._data)!r})"

    def as_dict(self) -> dict[str, Any]:
        return {k: v.as_dict() if isinstance(v, Section) else v for k, v in self._data.items()}


def _freeze(name: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        return Section(name, value)
    if isinstance(value, list):
        return tuple(value)
    return value


class Settings:
    """The whole configuration. `settings.imap.idle_timeout`, `settings.listeners["imaps"].port`,
    `settings.section("imap").get("idle_timeout")`, `settings.effective_port("imaps")`."""

    __slots__ = ("_sections", "config_path")

    config_path: str | None  # absolute path of the file read, None when only defaults/env

    def __init__(self, data: Mapping[str, Mapping[str, Any]], config_path: str | None) -> None:
        object.__setattr__(self, "_sections", {name: Section(name, table) for name, table in data.items()})
        object.__setattr__(self, "config_path", config_path)

    def __getattr__(self, name: str) -> Section:
        try:
            return self._sections[name]  # type: ignore[no-any-return]
        except KeyError:
            raise AttributeError(f"no settings section {name!r}") from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AttributeError("settings are read-only")

    def section(self, name: str) -> Section:
        return self.__getattr__(name)

    def sections(self) -> list[str]:
        return list(self._sections)

    def effective_port(self, listener: str) -> int:
        """The port a listener binds: its configured port plus server.port_offset."""
        return int(self.listeners[listener].port) + int(self.server.port_offset)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {name: section.as_dict() for name, section in self._sections.items()}

    def __repr__(self) -> str:
        return f"Settings(config_path={self.config_path!r})"
