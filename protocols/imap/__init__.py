"""IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) protocol layer: sans-IO, no store, no Twisted.

    receiver = Receiver(PREAUTH_LIMITS)
    for event in receiver.feed(data): ...   # Command / NeedLiteral / BadCommand / ContinuationLine / Done
    receiver.limits = DEFAULT_LIMITS         # after login

Modules: receiver (framing), parser (commands), cursor (tokens), requests / search /
fetch (typed requests), seqset, mutf7 (mailbox names), formatter (responses), codes
(response codes), bodystructure (ENVELOPE/BODYSTRUCTURE), capabilities, limits, errors.
"""

from postvak.protocols.imap.errors import EncodingError, LimitExceeded, ParseError, ProtocolError
from postvak.protocols.imap.events import (
    BadCommand,
    Command,
    ContinuationLine,
    Done,
    Event,
    LineTooLong,
    LiteralTooBig,
    NeedLiteral,
)
from postvak.protocols.imap.limits import DEFAULT_LIMITS, PREAUTH_LIMITS, Limits
from postvak.protocols.imap.receiver import Receiver
from postvak.protocols.imap.seqset import SequenceSet, compact

__all__ = [
    "BadCommand",
    "Command",
    "ContinuationLine",
    "DEFAULT_LIMITS",
    "Done",
    "EncodingError",
    "Event",
    "LimitExceeded",
    "LineTooLong",
    "LiteralTooBig",
    "Limits",
    "NeedLiteral",
    "PREAUTH_LIMITS",
    "ParseError",
    "ProtocolError",
    "Receiver",
    "SequenceSet",
    "compact",
]
