"""POP3 grammar, sans-IO: commands, receiver, responses, dot-stuffing.

RFC status: RFC 1939 (all commands but APOP), RFC 2449 CAPA and response
codes, RFC 2595 STLS, RFC 3206 SYS/AUTH codes, RFC 5034 AUTH, RFC 6856 UTF8
(receiver side; LANG not offered).
"""

from postvak.protocols.pop3.commands import (
    Auth,
    AuthResponse,
    BadCommand,
    Capa,
    Command,
    Dele,
    List,
    Noop,
    Pass,
    Quit,
    Retr,
    Rset,
    Stat,
    Stls,
    Top,
    Uidl,
    User,
    Utf8,
)
from postvak.protocols.pop3.dotstuff import DotStuffer, UnstuffError, stuff, stuff_lines, top_lines, unstuff
from postvak.protocols.pop3.receiver import Pop3Limits, Pop3Receiver
from postvak.protocols.pop3.responses import (
    AUTH,
    IN_USE,
    LOGIN_DELAY,
    SYS_PERM,
    SYS_TEMP,
    UTF8,
    capa,
    err,
    multiline,
    ok,
    sasl_challenge,
)

__all__ = [
    "AUTH", "IN_USE", "LOGIN_DELAY", "SYS_PERM", "SYS_TEMP", "UTF8",
    "Auth", "AuthResponse", "BadCommand", "Capa", "Command", "Dele", "DotStuffer", "List",
    "Noop", "Pass", "Pop3Limits", "Pop3Receiver", "Quit", "Retr", "Rset", "Stat", "Stls",
    "Top", "Uidl", "UnstuffError", "User", "Utf8",
    "capa", "err", "multiline", "ok", "sasl_challenge", "stuff", "stuff_lines", "top_lines", "unstuff",
]
