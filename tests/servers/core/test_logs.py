"""Event log lines: setup_logging's one-write path and the logging path give the same text."""

from __future__ import annotations

import io
import logging
import re

import pytest

from postvak.servers.core.logs import LOGGER_NAME, EventLogger, format_event, setup_logging

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR|DEBUG) (.*)$")


@pytest.fixture(autouse=True)
def _restore_logger():
    logger = logging.getLogger(LOGGER_NAME)
    saved = logger.handlers[:], logger.level, logger.propagate
    yield
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


def _lines(stream: io.StringIO) -> list[tuple[str, str]]:
    out = []
    for text in stream.getvalue().splitlines():
        m = LINE.match(text)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def test_format_event_quotes_what_would_split_a_field():
    assert format_event("x", a="", b="a b", c='q"z', d="n\nl", f="k=v", g=None, h=3) == (
        'event=x a="" b="a b" c="q\\"z" d="n\\nl" f="k=v" h=3'
    )


def test_direct_lines_match_logging_format():
    stream = io.StringIO()
    setup_logging("info", stream)
    log = EventLogger(session="s1")
    log.info("connect", peer="127.0.0.1:1", tls=True)
    log.warning("slow", ms=12)
    log.debug("hidden")
    logging.getLogger(LOGGER_NAME).info("plain record")  # through the Formatter
    assert _lines(stream) == [
        ("INFO", "event=connect session=s1 peer=127.0.0.1:1 tls=True"),
        ("WARNING", "event=slow session=s1 ms=12"),
        ("INFO", "plain record"),
    ]
    assert len(stream.getvalue().splitlines()) == 3


def test_exc_info_and_extra_handlers_take_the_logging_path():
    stream = io.StringIO()
    setup_logging("debug", stream)
    logger = logging.getLogger(LOGGER_NAME)
    log = EventLogger(session="s2")
    try:
        raise ValueError("boom")
    except ValueError:
        log.error("failed", exc_info=True)
    assert "Traceback" in stream.getvalue() and "ValueError: boom" in stream.getvalue()
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    extra = Keep()
    logger.addHandler(extra)
    try:
        log.debug("shown", n=1)
    finally:
        logger.removeHandler(extra)
    assert seen == ["event=shown session=s2 n=1"]
    assert _lines(stream)[-1] == ("DEBUG", "event=shown session=s2 n=1")
