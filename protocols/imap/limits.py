"""Size limits enforced while receiving commands (STYLE.md habit 10).

The session starts with ``PREAUTH_LIMITS`` and swaps in ``DEFAULT_LIMITS`` (or
limits built from settings) after login: ``receiver.limits = DEFAULT_LIMITS``.
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB

# RFC 7888 5: with LITERAL- a non-synchronizing literal may be at most 4096 octets.
LITERAL_MINUS_MAX = 4096


@dataclass(frozen=True)
class Limits:
    line_length: int = 64 * KIB  # one line of a command, CRLF not counted
    literal_size: int = 50 * MIB  # one APPEND literal (a message); also the APPENDLIMIT (RFC 7889)
    # One literal of any other command (a mailbox name, a search string, a password): no
    # command but APPEND carries a message, so a client has no need to send more.
    string_literal_size: int = 64 * KIB
    command_size: int = 64 * MIB  # whole command: all lines and literals together (MULTIAPPEND)
    paren_depth: int = 20  # nesting of parenthesised lists (SEARCH, FETCH, LIST)
    search_depth: int = 100  # nesting of SEARCH NOT / OR / ( ); clients chain OR for many terms
    max_command_args: int = 10_000  # list elements / search keys in one command
    max_literals: int = 1_000  # literals in one command (MULTIAPPEND messages + strings)
    literal_minus: bool = False  # True: advertise LITERAL- and refuse {n+} over 4096 (RFC 7888 5)


DEFAULT_LIMITS = Limits()

# Before authentication nobody needs big commands: LOGIN / AUTHENTICATE fit in 8 KiB.
PREAUTH_LIMITS = Limits(
    line_length=8 * KIB,
    literal_size=8 * KIB,
    string_literal_size=8 * KIB,
    command_size=16 * KIB,
    paren_depth=4,
    search_depth=8,
    max_command_args=64,
    max_literals=4,
)
