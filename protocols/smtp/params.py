"""ESMTP parameters of MAIL FROM and RCPT TO, parsed into typed values.

RFC 1870 SIZE, RFC 6152 / RFC 3030 BODY, RFC 6531 SMTPUTF8, RFC 3461 RET,
ENVID, NOTIFY, ORCPT, RFC 4954 5 AUTH=. Unknown keywords get 555 (RFC 5321
4.1.1.11: parameters not recognized), malformed values 501.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from postvak.protocols.smtp.errors import SmtpError
from postvak.protocols.smtp.replies import S501_SYNTAX_ARGS, S555_PARAMS_UNKNOWN

MAX_ENVID = 100  # RFC 3461 4.4
MAX_SIZE_DIGITS = 20  # RFC 1870 6: size-value = 1*20DIGIT


class Body(Enum):
    SEVEN_BIT = "7BIT"
    EIGHT_BIT_MIME = "8BITMIME"  # RFC 6152
    BINARY_MIME = "BINARYMIME"  # RFC 3030, needs CHUNKING


class Ret(Enum):
    FULL = "FULL"
    HDRS = "HDRS"


class Notify(Enum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    DELAY = "DELAY"


@dataclass(frozen=True)
class MailParams:
    size: int | None = None
    body: Body | None = None
    smtputf8: bool = False
    ret: Ret | None = None
    envid: str | None = None  # decoded from xtext
    auth: str | None = None  # RFC 4954 5: decoded xtext; "<>" means unknown submitter


@dataclass(frozen=True)
class RcptParams:
    notify: frozenset[Notify] | None = None  # empty frozenset = NEVER
    orcpt: tuple[str, str] | None = None  # (addr-type, decoded address), e.g. ("rfc822", "a@b")


_XCHAR_OK = re.compile(r"^[\x21-\x2a\x2c-\x3c\x3e-\x7e]$")


def decode_xtext(text: str) -> str:
    """RFC 3461 4: xtext, "+" followed by two upper-case hex digits encodes a byte."""
    out = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "+":
            hexpart = text[i + 1 : i + 3]
            if len(hexpart) != 2 or not re.fullmatch(r"[0-9A-F]{2}", hexpart):
                raise SmtpError(S501_SYNTAX_ARGS, "Bad xtext encoding")
            out.append(int(hexpart, 16))
            i += 3
            continue
        if not _XCHAR_OK.match(ch):
            raise SmtpError(S501_SYNTAX_ARGS, "Bad character in xtext")
        out.append(ord(ch))
        i += 1
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise SmtpError(S501_SYNTAX_ARGS, "xtext is not UTF-8") from None


def encode_xtext(text: str) -> str:
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        out.append(ch if _XCHAR_OK.match(ch) else f"+{byte:02X}")
    return "".join(out)


def _split(params: str | Iterable[str]) -> list[tuple[str, str | None]]:
    items = params.split(" ") if isinstance(params, str) else list(params)
    seen: set[str] = set()
    out: list[tuple[str, str | None]] = []
    for item in items:
        if item == "":
            continue
        key, eq, value = item.partition("=")
        key = key.upper()
        # RFC 5321 4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]*", key):
            raise SmtpError(S501_SYNTAX_ARGS, "Bad parameter keyword")
        if key in seen:
            raise SmtpError(S501_SYNTAX_ARGS, f"Duplicate parameter {key}")
        seen.add(key)
        if eq and (not value or any(ord(c) < 0x21 or c == "=" for c in value)):
            raise SmtpError(S501_SYNTAX_ARGS, f"Bad value for {key}")
        out.append((key, value if eq else None))
    return out


def _need_value(key: str, value: str | None) -> str:
    if value is None:
        raise SmtpError(S501_SYNTAX_ARGS, f"{key} needs a value")
    return value


def parse_mail_params(params: str | Iterable[str], *, allow: frozenset[str] | None = None) -> MailParams:
    """``allow`` limits the keywords to those advertised in EHLO (None = all known)."""
    size: int | None = None
    body: Body | None = None
    smtputf8 = False
    ret: Ret | None = None
    envid: str | None = None
    auth: str | None = None
    for key, value in _split(params):
        if allow is not None and key not in allow:
            raise SmtpError(S555_PARAMS_UNKNOWN, f"Parameter {key} not supported")
        if key == "SIZE":
            text = _need_value(key, value)
            if not text.isdigit() or len(text) > MAX_SIZE_DIGITS:
                raise SmtpError(S501_SYNTAX_ARGS, "Bad SIZE value")
            size = int(text)
        elif key == "BODY":
            try:
                body = Body(_need_value(key, value).upper())
            except ValueError:
                raise SmtpError(S501_SYNTAX_ARGS, "BODY must be 7BIT, 8BITMIME or BINARYMIME") from None
        elif key == "SMTPUTF8":
            if value is not None:
                raise SmtpError(S501_SYNTAX_ARGS, "SMTPUTF8 takes no value")  # RFC 6531 3.4
            smtputf8 = True
        elif key == "RET":
            try:
                ret = Ret(_need_value(key, value).upper())
            except ValueError:
                raise SmtpError(S501_SYNTAX_ARGS, "RET must be FULL or HDRS") from None
        elif key == "ENVID":
            envid = decode_xtext(_need_value(key, value))
            if len(_need_value(key, value)) > MAX_ENVID:
                raise SmtpError(S501_SYNTAX_ARGS, "ENVID too long")
        elif key == "AUTH":
            auth = decode_xtext(_need_value(key, value))
        else:
            raise SmtpError(S555_PARAMS_UNKNOWN, f"Parameter {key} not recognized")
    return MailParams(size, body, smtputf8, ret, envid, auth)


def parse_rcpt_params(params: str | Iterable[str], *, allow: frozenset[str] | None = None) -> RcptParams:
    notify: frozenset[Notify] | None = None
    orcpt: tuple[str, str] | None = None
    for key, value in _split(params):
        if allow is not None and key not in allow:
            raise SmtpError(S555_PARAMS_UNKNOWN, f"Parameter {key} not supported")
        if key == "NOTIFY":
            # RFC 3461 4.1: NEVER alone, or a list of SUCCESS / FAILURE / DELAY
            words = _need_value(key, value).upper().split(",")
            if words == ["NEVER"]:
                notify = frozenset()
                continue
            try:
                chosen = [Notify(word) for word in words]
            except ValueError:
                raise SmtpError(S501_SYNTAX_ARGS, "Bad NOTIFY value") from None
            if len(set(chosen)) != len(chosen):
                raise SmtpError(S501_SYNTAX_ARGS, "Bad NOTIFY value")
            notify = frozenset(chosen)
        elif key == "ORCPT":
            # RFC 3461 4.2: addr-type ";" xtext
            addr_type, semi, encoded = _need_value(key, value).partition(";")
            if not semi or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]*", addr_type) or not encoded:
                raise SmtpError(S501_SYNTAX_ARGS, "Bad ORCPT value")
            if len(value or "") > 500:  # RFC 3461 4.2: at most 500 characters
                raise SmtpError(S501_SYNTAX_ARGS, "ORCPT too long")
            orcpt = (addr_type.lower(), decode_xtext(encoded))
        else:
            raise SmtpError(S555_PARAMS_UNKNOWN, f"Parameter {key} not recognized")
    return RcptParams(notify, orcpt)
