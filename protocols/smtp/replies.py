"""SMTP replies as named constants (RFC 5321 4.2, enhanced codes RFC 3463 / RFC 5248).

``str(reply)`` is the single wire line without CRLF ("550 5.1.1 text"), which is
what aiosmtpd hooks return; ``reply.wire()`` gives full bytes, multi-line when
the text has several lines (RFC 5321 4.2.1: "250-" continuation, "250 " last).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

_ENHANCED = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")  # RFC 3463 2: class.subject.detail


@dataclass(frozen=True)
class Reply:
    code: int
    enhanced: str | None
    text: str

    def __post_init__(self) -> None:
        if not 200 <= self.code <= 599:
            raise ValueError(f"reply code out of range: {self.code}")
        if self.enhanced is not None and not _ENHANCED.match(self.enhanced):
            raise ValueError(f"malformed enhanced status code: {self.enhanced}")

    def with_text(self, text: str) -> Reply:
        """Same codes, other words (e.g. naming the address)."""
        return replace(self, text=text)

    def lines(self) -> list[str]:
        texts = [t.replace("\r", " ") for t in self.text.split("\n")] or [""]
        prefix = f"{self.enhanced} " if self.enhanced else ""
        out = []
        for i, text in enumerate(texts):
            sep = " " if i == len(texts) - 1 else "-"
            out.append(f"{self.code}{sep}{prefix}{text}".rstrip())
        return out

    def wire(self) -> bytes:
        return "".join(line + "\r\n" for line in self.lines()).encode("utf-8")

    def __str__(self) -> str:
        # aiosmtpd takes multi-line replies as one string joined by CRLF.
        return "\r\n".join(self.lines())

    @property
    def is_positive(self) -> bool:
        return self.code < 400

    @property
    def is_transient(self) -> bool:
        return 400 <= self.code < 500


def multiline(code: int, lines: list[str], enhanced: str | None = None) -> bytes:
    """EHLO-style multi-line reply from explicit lines."""
    return Reply(code, enhanced, "\n".join(lines)).wire()


# 2xx
S220_READY = Reply(220, None, "Postvak ESMTP ready")
S221_BYE = Reply(221, "2.0.0", "Bye")
S235_AUTH_OK = Reply(235, "2.7.0", "Authentication successful")  # RFC 4954 6
S250_OK = Reply(250, "2.0.0", "OK")
S250_SENDER_OK = Reply(250, "2.1.0", "Sender OK")
S250_RECIPIENT_OK = Reply(250, "2.1.5", "Recipient OK")
S250_QUEUED = Reply(250, "2.0.0", "Message accepted")
S252_CANNOT_VRFY = Reply(252, "2.5.0", "Cannot VRFY user, but will accept message")  # RFC 5321 3.5.3
S334_AUTH_CONTINUE = Reply(334, None, "")  # RFC 4954 4: text is the base64 challenge
S354_START_DATA = Reply(354, None, "End data with <CR><LF>.<CR><LF>")
# 4xx
S421_SHUTTING_DOWN = Reply(421, "4.3.2", "Service shutting down, try again later")
S421_TIMEOUT = Reply(421, "4.4.2", "Idle timeout, closing connection")
S421_TOO_MANY_ERRORS = Reply(421, "4.7.0", "Too many errors, closing connection")
S450_MAILBOX_BUSY = Reply(450, "4.2.1", "Mailbox temporarily unavailable")
S451_LOCAL_ERROR = Reply(451, "4.3.0", "Local error in processing, try again later")
S451_SMUGGLING = Reply(451, "4.5.0", "Bare CR or LF in message, see RFC 5321 2.3.8")
S452_TOO_MANY_RECIPIENTS = Reply(452, "4.5.3", "Too many recipients")  # RFC 5321 4.5.3.1.10
S452_INSUFFICIENT_STORAGE = Reply(452, "4.3.1", "Insufficient system storage")
S452_QUOTA_DAILY = Reply(452, "4.7.0", "Daily sending limit reached, try again later")  # policy, RFC 3463 3.8
S454_TLS_UNAVAILABLE = Reply(454, "4.7.0", "TLS not available, try again later")  # RFC 3207 4
S454_AUTH_TEMPFAIL = Reply(454, "4.7.0", "Temporary authentication failure")  # RFC 4954 6
# 5xx
S500_SYNTAX = Reply(500, "5.5.2", "Syntax error, command unrecognized")
S500_LINE_TOO_LONG = Reply(500, "5.5.6", "Line too long")  # RFC 5321 4.5.3.1.4
S501_SYNTAX_ARGS = Reply(501, "5.5.4", "Syntax error in parameters or arguments")
S501_BAD_ADDRESS = Reply(501, "5.1.3", "Bad address syntax")
S501_AUTH_CANCELLED = Reply(501, "5.0.0", "Authentication cancelled")  # RFC 4954 4
S502_NOT_IMPLEMENTED = Reply(502, "5.5.1", "Command not implemented")
S503_BAD_SEQUENCE = Reply(503, "5.5.1", "Bad sequence of commands")
S504_NOT_IMPLEMENTED_PARAM = Reply(504, "5.5.4", "Command parameter not implemented")
S504_AUTH_MECHANISM = Reply(504, "5.5.4", "Unrecognized authentication type")  # RFC 4954 6
S521_NO_MAIL = Reply(521, "5.3.2", "This host does not accept mail")  # RFC 7504 3
S530_AUTH_REQUIRED = Reply(530, "5.7.0", "Authentication required")  # RFC 4954 6
S534_AUTH_TOO_WEAK = Reply(534, "5.7.9", "Authentication mechanism is too weak")  # RFC 4954 6
S535_AUTH_FAILED = Reply(535, "5.7.8", "Authentication credentials invalid")  # RFC 4954 6
S538_ENCRYPTION_REQUIRED = Reply(538, "5.7.11", "Encryption required for requested authentication mechanism")
S550_NO_SUCH_USER = Reply(550, "5.1.1", "No such user here")
S550_POLICY = Reply(550, "5.7.1", "Rejected by policy")
S550_SPAM = Reply(550, "5.7.1", "Message refused as spam")
S551_NOT_LOCAL = Reply(551, "5.1.6", "User not local")
S552_MESSAGE_TOO_BIG = Reply(552, "5.3.4", "Message size exceeds fixed maximum message size")
S552_MAILBOX_FULL = Reply(552, "5.2.2", "Mailbox full")
S553_BAD_ADDRESS = Reply(553, "5.1.3", "Mailbox name not allowed")
S553_SENDER_NOT_OWNED = Reply(553, "5.7.1", "Sender address not owned by authenticated user")
S554_RELAY_DENIED = Reply(554, "5.7.1", "Relay access denied")
S554_TRANSACTION_FAILED = Reply(554, "5.0.0", "Transaction failed")
S554_NO_VALID_RECIPIENTS = Reply(554, "5.5.1", "No valid recipients")
S555_PARAMS_UNKNOWN = Reply(555, "5.5.4", "MAIL FROM/RCPT TO parameters not recognized or not implemented")
S556_DOMAIN_NO_MAIL = Reply(556, "5.1.10", "Recipient domain does not accept mail")  # RFC 7504 3


def all_replies() -> dict[str, Reply]:
    """Every named constant in this module (the consistency test walks these)."""
    return {name: value for name, value in globals().items() if name[:1] == "S" and isinstance(value, Reply)}
