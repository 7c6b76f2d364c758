"""Structured `key=value` log lines, one per event, greppable and machine-readable."""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any

LOGGER_NAME = "postvak"


_NEEDS_QUOTES = re.compile('[ "=\n\t]')


def _quote(value: Any) -> str:
    text = str(value)
    if text == "" or _NEEDS_QUOTES.search(text):
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

    def _emit(self, level: int, event: str, fields: dict[str, Any], exc_info: bool = False) -> None:
        logger = self._logger
        if not logger.isEnabledFor(level):
            return
        message = format_event(event, **{**self._bound, **fields})
        handlers = logger.handlers
        # Every session writes a few lines (connect, login, disconnect): through setup_logging's
        # handler alone they skip the LogRecord and Formatter, the same text in one write.
        if (not exc_info and len(handlers) == 1 and type(handlers[0]) is LineHandler
                and not logger.filters and not logger.propagate):
            handlers[0].line(level, message)
        else:
            logger.log(level, message, exc_info=exc_info)

    def info(self, event: str, **fields: Any) -> None:
        self._emit(logging.INFO, event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._emit(logging.WARNING, event, fields)

    def error(self, event: str, exc_info: bool = False, **fields: Any) -> None:
        self._emit(logging.ERROR, event, fields, exc_info)

    def debug(self, event: str, **fields: Any) -> None:
        self._emit(logging.DEBUG, event, fields)


FORMAT = "%(asctime)s %(levelname)s %(message)s"


class LineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """StreamHandler with FORMAT, plus `line`: the same text written without a LogRecord
    (the timestamp's date and time part is formatted once per second)."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.setFormatter(logging.Formatter(FORMAT))
        self._second = -1
        self._stamp = ""

    def line(self, level: int, message: str) -> None:
        now = time.time()
        second = int(now)
        if second != self._second:  # a race here only formats the same second twice
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
            self._second = second
        text = f"{self._stamp},{int((now - second) * 1000):03d} {logging.getLevelName(level)} {message}\n"
        self.acquire()
        try:
            self.stream.write(text)
            self.flush()
        except Exception:  # noqa: BLE001 - as logging does: a failed log write never stops the server
            self.handleError(logging.makeLogRecord({"msg": message, "levelno": level}))
        finally:
            self.release()


def setup_logging(level: str = "info", stream: Any = None) -> None:
    handler = LineHandler(stream or sys.stderr)
    root = logging.getLogger(LOGGER_NAME)
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
