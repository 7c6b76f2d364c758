"""The one exception family of the IMAP protocol layer.

Parsers raise these; the receiver turns them into ``BadCommand`` events, so a
session only ever sees events. Formatters raise ``ProtocolError`` on values that
cannot be put on the wire (e.g. a CR in a quoted string).
"""

from __future__ import annotations


class ProtocolError(Exception):
    """Anything wrong with IMAP syntax or framing; ``code`` is a response code atom or None."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class ParseError(ProtocolError):
    """A command that does not match the grammar (answered BAD)."""


class LimitExceeded(ProtocolError):
    """A configured limit was hit (line, literal, nesting, argument count)."""

    def __init__(self, reason: str, code: str = "LIMIT") -> None:
        super().__init__(reason, code)


class EncodingError(ProtocolError):
    """A mailbox name or string that is not valid modified UTF-7 / UTF-8."""
