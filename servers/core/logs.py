"""Structured `key=value` log lines, one per event, greppable and machine-readable."""

from __future__ import annotations

import logging
import sys
from typing import Any

LOGGER_NAME = "postvak"


def _quote(value: Any) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' "=\n\t'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


def format_event(event: str, **fields: Any) -> str:
    parts = [f"event={_quote(event)}"]
    parts.extend(f"{key}={_quote(val)}" for key, val in fields.items() if val is not None)
    return " ".join(parts)


class EventLogger:
    """Bound logger: fields given at construction (e.g. session id) go on every line."""

    def __init__(self, logger: logging.Logger | None = None, **bound: Any) -> None:
        self._logger = logger or logging.getLogger(LOGGER_NAME)
        self._bound = bound

    def bind(self, **more: Any) -> EventLogger:
        return EventLogger(self._logger, **{**self._bound, **more})

    def info(self, event: str, **fields: Any) -> None:
        self._logger.info(format_event(event, **{**self._bound, **fields}))

    def warning(self, event: str, **fields: Any) -> None:
        self._logger.warning(format_event(event, **{**self._bound, **fields}))

    def error(self, event: str, exc_info: bool = False, **fields: Any) -> None:
        self._logger.error(format_event(event, **{**self._bound, **fields}), exc_info=exc_info)

    def debug(self, event: str, **fields: Any) -> None:
        if self._logger.isEnabledFor(logging.DEBUG):
            self._logger.debug(format_event(event, **{**self._bound, **fields}))


def setup_logging(level: str = "info", stream: Any = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger(LOGGER_NAME)
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
