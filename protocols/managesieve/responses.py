"""ManageSieve responses (RFC 5804 1.3, 4): OK / NO / BYE with codes, strings, capabilities."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# RFC 5804 1.3 response codes
AUTH_TOO_WEAK = "AUTH-TOO-WEAK"
ENCRYPT_NEEDED = "ENCRYPT-NEEDED"
QUOTA = "QUOTA"
QUOTA_MAXSCRIPTS = "QUOTA/MAXSCRIPTS"
QUOTA_MAXSIZE = "QUOTA/MAXSIZE"
REFERRAL = "REFERRAL"
SASL = "SASL"
TRANSITION_NEEDED = "TRANSITION-NEEDED"
TRYLATER = "TRYLATER"
ACTIVE = "ACTIVE"
NONEXISTENT = "NONEXISTENT"
ALREADYEXISTS = "ALREADYEXISTS"
WARNINGS = "WARNINGS"
TAG = "TAG"
_WITH_ARG = {REFERRAL, SASL, TAG}
CODES = frozenset({AUTH_TOO_WEAK, ENCRYPT_NEEDED, QUOTA, QUOTA_MAXSCRIPTS, QUOTA_MAXSIZE, REFERRAL, SASL,
                   TRANSITION_NEEDED, TRYLATER, ACTIVE, NONEXISTENT, ALREADYEXISTS, WARNINGS, TAG})

MAX_QUOTED = 1024


@dataclass(frozen=True)
class Code:
    name: str
    arg: str | None = None  # REFERRAL: sieve URL; SASL: base64; TAG: the NOOP tag

    def __post_init__(self) -> None:
        if self.name not in CODES:
            raise ValueError(f"unknown ManageSieve response code {self.name!r}")
        if (self.arg is not None) != (self.name in _WITH_ARG):
            raise ValueError(f"{self.name} {'needs' if self.name in _WITH_ARG else 'takes no'} argument")

    def wire(self) -> bytes:
        if self.arg is None:
            return self.name.encode()
        if self.name == REFERRAL:
            # RFC 5804 4: resp-code-referral = "REFERRAL" SP sieveurl (bare)
            return f"REFERRAL {self.arg}".encode()
        return self.name.encode() + b" " + string(self.arg)


def string(value: str | bytes) -> bytes:
    """RFC 5804 4 string: quoted when short and safe, else a server literal {n}."""
    raw = value.encode("utf-8") if isinstance(value, str) else value
    if len(raw) <= MAX_QUOTED and not any(c in raw for c in b"\r\n\x00"):
        return b'"' + raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    return b"{%d}\r\n" % len(raw) + raw


def _status(word: bytes, text: str | None, code: Code | str | None) -> bytes:
    out = word
    if code is not None:
        if isinstance(code, str):
            code = Code(code)
        out += b" (" + code.wire() + b")"
    if text is not None:
        out += b" " + string(text)
    return out + b"\r\n"


def ok(text: str | None = None, code: Code | str | None = None) -> bytes:
    return _status(b"OK", text, code)


def no(text: str | None = None, code: Code | str | None = None) -> bytes:
    return _status(b"NO", text, code)


def bye(text: str | None = None, code: Code | str | None = None) -> bytes:
    return _status(b"BYE", text, code)


def sasl_challenge(wire: bytes) -> bytes:
    """RFC 5804 2.1: a challenge is a string holding base64, on its own line."""
    return string(wire) + b"\r\n"


def sasl_done(wire: bytes | None = None) -> bytes:
    """OK after authentication; final server data rides in (SASL "...") per RFC 5804 2.1."""
    return ok(None, Code(SASL, wire.decode("ascii")) if wire else None)


def capability(
    *,
    implementation: str,
    sasl: Iterable[str],
    sieve: Iterable[str],
    starttls: bool = False,
    maxredirects: int | None = None,
    notify: Iterable[str] = (),
    language: str | None = None,
    owner: str | None = None,
    version: str = "1.0",
) -> bytes:
    """The capability lines (RFC 5804 1.7) and the closing OK; also the greeting."""
    lines: list[tuple[str, str | None]] = [("IMPLEMENTATION", implementation)]
    # RFC 5804 1.7: SASL is sent even when empty before STARTTLS with no mechanism allowed
    lines.append(("SASL", " ".join(m.upper() for m in sasl)))
    lines.append(("SIEVE", " ".join(sieve)))
    if starttls:
        lines.append(("STARTTLS", None))
    if maxredirects is not None:
        lines.append(("MAXREDIRECTS", str(int(maxredirects))))
    methods = list(notify)
    if methods:
        lines.append(("NOTIFY", " ".join(methods)))
    if language:
        lines.append(("LANGUAGE", language))
    if owner:
        lines.append(("OWNER", owner))  # only once authenticated (RFC 5804 1.7)
    lines.append(("VERSION", version))
    out = bytearray()
    for name, value in lines:
        out += string(name)
        if value is not None:
            out += b" " + string(value)
        out += b"\r\n"
    return bytes(out) + ok()


def listscripts(scripts: Iterable[tuple[str, bool]]) -> bytes:
    """RFC 5804 2.7: one line per script, the active one marked ACTIVE, then OK."""
    out = bytearray()
    for name, active in scripts:
        out += string(name) + (b" ACTIVE" if active else b"") + b"\r\n"
    return bytes(out) + ok()


def getscript(script: bytes) -> bytes:
    """RFC 5804 2.9: the script as a literal, CRLF, then OK."""
    return b"{%d}\r\n" % len(script) + script + b"\r\nOK\r\n"
