"""Incremental, sans-IO command framing: bytes in, events out (STYLE.md habit 1).

A command is one or more lines; a line ending in a literal announcement
(``{n}``, ``{n+}``, ``~{n}``, ``~{n+}``; RFC 3501 4.3, RFC 7888, RFC 3516 4.4) is
followed by exactly n octets and then the rest of the command. The receiver
joins the lines (without CRLF) into one text and keeps each literal beside it,
keyed by the offset of its announcement, so the parser sees a single buffer.
Literal octets are kept as zero-copy views of the fed chunks and joined once.
"""

from __future__ import annotations

import dataclasses
import re
from enum import Enum, auto

from postvak.protocols.imap.cursor import Lit
from postvak.protocols.imap.events import (
    BadCommand,
    ContinuationLine,
    Done,
    Event,
    LineTooLong,
    LiteralTooBig,
    NeedLiteral,
)
from postvak.protocols.imap.limits import DEFAULT_LIMITS, LITERAL_MINUS_MAX, Limits
from postvak.protocols.imap.parser import parse_command

# RFC 3501 9 literal, RFC 7888 3 literal+, RFC 3516 4.4 literal8; 20 digits covers number64.
_LITERAL_AT_END = re.compile(rb"(~?)\{([0-9]{1,20})(\+?)\}\Z")
_TAG = re.compile(rb"[^\x00-\x20\x7f-\xff(){%*\"\\+]+")
_TAIL = 64  # bytes of a skipped line kept to spot a literal announcement at its end


class _Mode(Enum):
    LINE = auto()
    LITERAL = auto()  # collecting announced literal octets
    SKIP_LITERAL = auto()  # discarding octets of a refused non-synchronizing literal
    DISCARD_LINE = auto()  # discarding up to the next LF (after an error)
    EXPECT_LINE = auto()  # next line is a ContinuationLine
    EXPECT_DONE = auto()  # next line must be DONE


class Receiver:
    """Feed client bytes, get events. ``limits`` and ``utf8`` may be changed between feeds."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS, *, utf8: bool = False) -> None:
        self.limits = limits
        # RFC 6855 3 / RFC 9051: after ENABLE UTF8=ACCEPT (or IMAP4rev2) mailbox names are UTF-8.
        self.utf8 = utf8
        self._mode = _Mode.LINE
        self._line = bytearray()
        self._tail = b""
        self._text = bytearray()
        self._literals: dict[int, Lit] = {}
        self._lit_start = 0
        self._lit_binary = False
        self._lit_chunks: list[bytes | memoryview] = []
        self._remaining = 0
        self._total = 0

    # --- modes the session asks for -------------------------------------------------
    def expect_line(self) -> None:
        """The next line is an AUTHENTICATE response: delivered as ``ContinuationLine``."""
        self._mode = _Mode.EXPECT_LINE

    def expect_done(self) -> None:
        """IDLE started: the next line must be "DONE", delivered as ``Done``."""
        self._mode = _Mode.EXPECT_DONE

    def expected_event(self, line: bytes) -> Event:
        """The event ``line`` gives in the mode expect_line() or expect_done() set, for a
        line that arrived before it was set (the client did not wait for the continuation
        request, as RFC 9051 asks, and the line was read as a command); the mode is used up."""
        if self._mode is not _Mode.EXPECT_LINE and self._mode is not _Mode.EXPECT_DONE:
            raise ValueError("no continuation line is expected")
        events: list[Event] = []
        self._on_line(line, events)
        return events[0]

    def reject_literal(self) -> None:
        """The session refused a synchronizing literal (after ``NeedLiteral``): drop the command."""
        if self._mode is _Mode.LITERAL:
            self._reset_command()
            self._mode = _Mode.LINE

    @property
    def buffered(self) -> int:
        """Octets held for an incomplete command (for memory accounting and tests)."""
        return len(self._line) + len(self._text) + sum(len(c) for c in self._lit_chunks)

    # --- input ---------------------------------------------------------------------
    def feed(self, data: bytes) -> list[Event]:
        events: list[Event] = []
        view = memoryview(data) if isinstance(data, bytes) else memoryview(bytes(data))
        pos, end = 0, len(view)
        while pos < end:
            mode = self._mode
            if mode is _Mode.LITERAL or mode is _Mode.SKIP_LITERAL:
                take = min(self._remaining, end - pos)
                if mode is _Mode.LITERAL:
                    self._lit_chunks.append(view[pos : pos + take])
                self._remaining -= take
                pos += take
                if self._remaining == 0:
                    if mode is _Mode.LITERAL:
                        self._finish_literal()
                        self._mode = _Mode.LINE
                    else:
                        self._mode = _Mode.DISCARD_LINE
                        self._tail = b""
                continue
            nl = data.find(b"\n", pos)
            if mode is _Mode.DISCARD_LINE:
                if nl < 0:
                    self._tail = (self._tail + bytes(view[max(pos, end - _TAIL) : end]))[-_TAIL:]
                    pos = end
                else:
                    self._tail = (self._tail + bytes(view[max(pos, nl - _TAIL) : nl]))[-_TAIL:]
                    pos = nl + 1
                    self._after_discarded_line(events)
                continue
            if nl < 0:
                self._line += view[pos:end]
                pos = end
                if len(self._line) > self.limits.line_length + 1:  # +1: a CR may be waiting for its LF
                    self._line_too_long(events)
                continue
            if len(self._line) + (nl - pos) > self.limits.line_length + 1:
                # The whole over-long line is here: drop it without copying it.
                head = bytes(self._line[:_TAIL]) + bytes(view[pos : pos + _TAIL])
                self._line.clear()
                self._line += head
                self._line_too_long(events, discard=False, tail=bytes(view[max(pos, nl - _TAIL) : nl]))
                pos = nl + 1
                continue
            self._line += view[pos:nl]
            pos = nl + 1
            line = bytes(self._line)
            self._line.clear()
            if line.endswith(b"\r"):
                line = line[:-1]
            if len(line) > self.limits.line_length:
                self._line += line[:_TAIL]
                self._line_too_long(events, discard=False, tail=line[-_TAIL:])
                continue
            self._on_line(line, events)
        return events

    # --- internals -----------------------------------------------------------------
    def _on_line(self, line: bytes, events: list[Event]) -> None:
        if self._mode is _Mode.EXPECT_LINE:
            self._mode = _Mode.LINE
            events.append(ContinuationLine(line))
            return
        if self._mode is _Mode.EXPECT_DONE:
            self._mode = _Mode.LINE
            if line.upper() == b"DONE":
                events.append(Done())
            else:
                # RFC 9051 6.3.13: only DONE ends IDLE; the session answers BAD and leaves IDLE.
                events.append(BadCommand(None, "expected DONE"))
            return
        if not self._text and not line:
            return  # RFC 9051 has no empty commands; a stray CRLF is ignored as most servers do
        self._total += len(line)
        start = len(self._text)
        self._text += line
        if self._total > self.limits.command_size:
            events.append(LineTooLong(self._tag(), "command too long", "TOOBIG"))
            self._reset_command()
            return
        m = _LITERAL_AT_END.search(line)
        if m is None:
            event = parse_command(bytes(self._text), self._literals, self.limits, self.utf8)
            if type(event) is BadCommand and not self._literals and start == 0:
                event = dataclasses.replace(event, line=line)  # see expected_event
            events.append(event)
            self._reset_command()
            return
        size = int(m.group(2))
        sync = not m.group(3)
        tag = self._tag()
        too_big = (
            size > (self.limits.literal_size if self._is_append() else self.limits.string_literal_size)
            or self._total + size > self.limits.command_size
            or (not sync and self.limits.literal_minus and size > LITERAL_MINUS_MAX)
        )
        if too_big or len(self._literals) >= self.limits.max_literals:
            reason = "literal too big" if too_big else "too many literals"
            events.append(LiteralTooBig(tag, reason, "TOOBIG" if too_big else "LIMIT", size))
            self._reset_command()
            if not sync:
                # RFC 7888 4: the client sends the octets anyway; skip them, then the line's rest.
                self._remaining = size
                self._mode = _Mode.SKIP_LITERAL if size else _Mode.DISCARD_LINE
                self._tail = b""
            return
        self._lit_start = start + m.start()
        self._lit_binary = bool(m.group(1))
        self._total += size
        self._remaining = size
        if sync:
            if tag is None:
                events.append(BadCommand(None, "missing tag"))
                self._reset_command()
                return
            events.append(NeedLiteral(tag, size))
        if size == 0:
            self._finish_literal()
        else:
            self._mode = _Mode.LITERAL

    def _finish_literal(self) -> None:
        chunks = self._lit_chunks
        data = bytes(chunks[0]) if len(chunks) == 1 else b"".join(chunks)
        self._lit_chunks = []
        self._literals[self._lit_start] = Lit(len(self._text), data, self._lit_binary)

    def _after_discarded_line(self, events: list[Event]) -> None:
        tail = self._tail.rstrip(b"\r")
        self._tail = b""
        m = _LITERAL_AT_END.search(tail)
        if m is not None and m.group(3):
            # A skipped line announced another non-synchronizing literal: skip it as well.
            self._remaining = int(m.group(2))
            self._mode = _Mode.SKIP_LITERAL if self._remaining else _Mode.DISCARD_LINE
        else:
            self._mode = _Mode.LINE

    def _line_too_long(self, events: list[Event], discard: bool = True, tail: bytes = b"") -> None:
        if self._mode is _Mode.EXPECT_LINE or self._mode is _Mode.EXPECT_DONE:
            tag = None
        else:
            tag = self._tag(bytes(self._line[:_TAIL]))
        events.append(LineTooLong(tag, "line too long", "TOOBIG"))
        self._line.clear()
        self._reset_command()
        self._mode = _Mode.DISCARD_LINE
        self._tail = tail
        if not discard:  # the line's LF was already seen
            self._after_discarded_line(events)

    def _is_append(self) -> bool:
        """The command being received is APPEND (its literals are messages)."""
        words = bytes(self._text[:_TAIL]).split(b" ", 2)
        return len(words) > 1 and words[1].upper() == b"APPEND"

    def _tag(self, fallback: bytes = b"") -> str | None:
        head = bytes(self._text[:_TAIL]) if self._text else fallback
        m = _TAG.match(head)
        if m is None or (len(head) > m.end() and head[m.end()] != 0x20):
            return None
        return m.group().decode("ascii")

    def _reset_command(self) -> None:
        self._text = bytearray()
        self._literals = {}
        self._lit_chunks = []
        self._remaining = 0
        self._total = 0
