"""POP3 response formatting: +OK / -ERR with RFC 2449 / RFC 3206 codes, CAPA.

Every function returns complete wire bytes ending in CRLF. Texts are cleaned
of CR and LF so a caller-supplied string can never inject a second line.
"""

from __future__ import annotations

from collections.abc import Iterable

from postvak.protocols.pop3.dotstuff import stuff_lines

# RFC 2449 8 and RFC 3206 4: extended response codes, shown as "[CODE]".
IN_USE = "IN-USE"  # RFC 2449 8.1.1: maildrop locked by another session
LOGIN_DELAY = "LOGIN-DELAY"  # RFC 2449 8.1.2: logged in too recently
SYS_TEMP = "SYS/TEMP"  # RFC 3206 4: transient system problem
SYS_PERM = "SYS/PERM"  # RFC 3206 4: permanent system problem
AUTH = "AUTH"  # RFC 3206 5: credentials wrong (not a system problem)
UTF8 = "UTF8"  # RFC 6856 2: account needs UTF8 mode
RESP_CODES = frozenset({IN_USE, LOGIN_DELAY, SYS_TEMP, SYS_PERM, AUTH, UTF8})


def _clean(text: str) -> bytes:
    return text.replace("\r", " ").replace("\n", " ").encode("utf-8")


def _status(status: bytes, text: str, code: str | None) -> bytes:
    out = status
    if code is not None:
        if code not in RESP_CODES:
            raise ValueError(f"unknown POP3 response code {code!r}")
        out += b" [" + code.encode("ascii") + b"]"
    if text:
        out += b" " + _clean(text)
    return out + b"\r\n"


def ok(text: str = "", code: str | None = None) -> bytes:
    return _status(b"+OK", text, code)


def err(text: str, code: str | None = None) -> bytes:
    return _status(b"-ERR", text, code)


def multiline(text: str, lines: Iterable[bytes | str]) -> bytes:
    """``+OK text`` then dot-stuffed lines and the ".\\r\\n" terminator (RFC 1939 3)."""
    encoded = [line.encode("utf-8") if isinstance(line, str) else line for line in lines]
    return ok(text) + stuff_lines(encoded)


def sasl_challenge(wire: bytes) -> bytes:
    """RFC 5034 4: a continuation is "+ " and base64 (just "+ " when empty)."""
    return b"+ " + wire + b"\r\n"


def capa(
    *,
    user: bool = True,
    sasl: Iterable[str] = (),
    stls: bool = False,
    top: bool = True,
    uidl: bool = True,
    pipelining: bool = True,
    resp_codes: bool = True,
    auth_resp_code: bool = True,
    utf8: bool = False,
    expire: str | None = None,
    login_delay: int | None = None,
    implementation: str | None = None,
) -> bytes:
    """The CAPA response (RFC 2449 5/6); offer USER/SASL only where login is allowed."""
    caps: list[str] = []
    if top:
        caps.append("TOP")  # RFC 2449 6.1
    if user:
        caps.append("USER")  # RFC 2449 6.2
    mechs = [m.upper() for m in sasl]
    if mechs:
        caps.append("SASL " + " ".join(mechs))  # RFC 2449 6.3 / RFC 5034 5
    if resp_codes:
        caps.append("RESP-CODES")  # RFC 2449 6.4
    if login_delay is not None:
        caps.append(f"LOGIN-DELAY {int(login_delay)}")  # RFC 2449 6.5
    if pipelining:
        caps.append("PIPELINING")  # RFC 2449 6.6
    if expire is not None:
        caps.append(f"EXPIRE {expire}")  # RFC 2449 6.7: NEVER or days
    if uidl:
        caps.append("UIDL")  # RFC 2449 6.8
    if implementation:
        caps.append("IMPLEMENTATION " + implementation)  # RFC 2449 6.9
    if auth_resp_code:
        caps.append("AUTH-RESP-CODE")  # RFC 3206 5
    if stls:
        caps.append("STLS")  # RFC 2595 4
    if utf8:
        caps.append("UTF8 USER")  # RFC 6856 2: UTF-8 user names and passwords too
    return multiline("Capability list follows", caps)
