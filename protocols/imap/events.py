"""What ``Receiver.feed`` returns: one event per complete unit of client input."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from postvak.protocols.imap.requests import Request


@dataclass(frozen=True)
class Command:
    """A complete, parsed command. ``name`` is the command word without "UID" (see ``args.uid``)."""

    tag: str
    name: str
    args: Request

    @property
    def uid(self) -> bool:
        return bool(getattr(self.args, "uid", False))


@dataclass(frozen=True)
class NeedLiteral:
    """A synchronizing literal was announced and accepted: the adapter sends "+ Ready" (RFC 3501 7.5).

    To refuse it instead (e.g. APPEND to a missing mailbox), answer the tag NO/BAD and call
    ``receiver.reject_literal()``; the client then does not send the octets.
    """

    tag: str
    size: int


@dataclass(frozen=True)
class BadCommand:
    """The input was not a valid command: answer ``tag BAD [code] reason`` (``* BAD`` if tag is None)."""

    tag: str | None
    reason: str
    code: str | None = None
    # The whole line, when the command was that one line: a client that sends an AUTHENTICATE
    # response or DONE without waiting for the continuation request gets it read as a
    # command first (Receiver.expected_event); not part of the event's value.
    line: bytes | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class LineTooLong(BadCommand):
    """A line went past ``Limits.line_length``; the receiver skipped to the next line."""


@dataclass(frozen=True)
class LiteralTooBig(BadCommand):
    """A literal went past ``Limits.literal_size`` (code TOOBIG, RFC 7888 4 / RFC 9051 7.1).

    A synchronizing literal is refused without reading it; a non-synchronizing one is
    read and thrown away, then the rest of the command line is skipped.
    """

    size: int = 0


@dataclass(frozen=True)
class ContinuationLine:
    """The line that answered a continuation request after ``expect_line()`` (AUTHENTICATE)."""

    data: bytes


@dataclass(frozen=True)
class Done:
    """The client ended IDLE with "DONE" (RFC 2177, RFC 9051 6.3.13)."""


Event = Command | NeedLiteral | BadCommand | ContinuationLine | Done
