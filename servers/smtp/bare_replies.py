"""aiosmtpd's own replies, given the enhanced status code they lack.

RFC 2034 3: once ENHANCEDSTATUSCODES is advertised, every 2xx/4xx/5xx reply but the
greeting and the answers to HELO/EHLO starts its text with class.subject.detail.
Postvak's replies come from protocols/smtp/replies.py and have one; the lines aiosmtpd
writes itself (its command loop, HELO, NOOP, QUIT, STARTTLS, HELP) do not, and a
client parsing them sees garbage where the code should be. They are mapped here, at
the one place every reply passes (PostvakSMTP.push).
"""

from __future__ import annotations

from postvak.protocols.smtp import replies as R

_SECURITY = R.Reply(554, "5.7.0", "Command refused due to lack of security")  # failed STARTTLS handshake

# The exact strings of aiosmtpd 1.4 that reach a client of PostvakSMTP.
_EXACT: dict[str, str] = {
    "500 Command line too long": str(R.S500_LINE_TOO_LONG),
    "500 Error: bad syntax": str(R.S500_SYNTAX),  # an empty line, or a verb that is not ASCII
    "500 Error: strict ASCII mode": str(R.S500_SYNTAX),
    "503 Error: send HELO first": str(R.S503_BAD_SEQUENCE.with_text("Send HELO or EHLO first")),
    "503 Error: send EHLO first": str(R.S503_BAD_SEQUENCE.with_text("Send EHLO first")),
    "501 Syntax: HELO hostname": str(R.S501_SYNTAX_ARGS.with_text("Syntax: HELO hostname")),
    "501 Syntax: QUIT": str(R.S501_SYNTAX_ARGS.with_text("Syntax: QUIT")),
    "501 Syntax: STARTTLS": str(R.S501_SYNTAX_ARGS.with_text("Syntax: STARTTLS")),
    "554 Command refused due to lack of security": str(_SECURITY),
    "454 TLS not available": str(R.S454_TLS_UNAVAILABLE),
    "220 Ready to start TLS": "220 2.0.0 Ready to start TLS",
    "250 OK": str(R.S250_OK),  # NOOP
    "221 Bye": str(R.S221_BYE),
}

# '500 Error: command "<the client's bytes>" not recognized': the echo is dropped, as it may
# hold control characters (a bare CR among them) that would corrupt the reply line.
_UNKNOWN_VERB = '500 Error: command "'
# HELP's replies keep their text and get the code their reply code implies.
_HELP = {"250 Supported commands:": "2.0.0", "501 Supported commands:": "5.5.4", "250 Syntax:": "2.0.0"}
_PREFIXES = (_UNKNOWN_VERB, *_HELP)


def with_enhanced_code(status: str) -> str:
    """``status`` as aiosmtpd would send it -> the same reply with an enhanced status code."""
    fixed = _EXACT.get(status)
    if fixed is not None:
        return fixed
    if not status.startswith(_PREFIXES):
        return status
    if status.startswith(_UNKNOWN_VERB):
        return str(R.S500_SYNTAX)
    for prefix, code in _HELP.items():
        if status.startswith(prefix):
            return f"{status[:3]} {code} {status[4:]}"
    return status
