"""Envelope addresses: RFC 5321 4.1.2 paths, RFC 6531 3.3 UTF-8, relay-probe forms.

``parse_path`` is strict on syntax and returns the parts; deciding whether a
syntactically valid address is safe to deliver locally is a separate step
(``relay_probe_reason`` / ``relay_safe_local_part``), because the classic
open-relay probes are all *valid* RFC 5321 addresses:

- source routes ``<@a,@b:user@c>``: RFC 5321 4.1.1.3 / C say accept and ignore
  the route. We strip it and keep ``user@c`` (never relay to ``a``); the route is
  kept in ``Path.route`` for logging only.
- ``user%remote@local`` (percent hack) and ``user!remote@local`` (UUCP bang path):
  legal atext, but old MTAs re-route on them.
- ``"user@remote"@local``: quoted local part hiding a second address.
- ``user@[1.2.3.4]``: address literals bypass our domain list.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from postvak.protocols.smtp.errors import SmtpError
from postvak.protocols.smtp.replies import S501_BAD_ADDRESS, S553_BAD_ADDRESS

MAX_LOCAL = 64  # RFC 5321 4.5.3.1.1
MAX_DOMAIN = 255  # RFC 5321 4.5.3.1.2
MAX_PATH = 256  # RFC 5321 4.5.3.1.3, including the angle brackets

_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")  # RFC 5322 3.2.3 atext
_LDH_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")  # RFC 5321 4.1.2 sub-domain


@dataclass(frozen=True)
class NullPath:
    """MAIL FROM:<>: bounces and DSNs (RFC 5321 4.5.5); never answered with a DSN."""

    def __str__(self) -> str:
        return ""


@dataclass(frozen=True)
class Path:
    local: str  # unquoted: escapes resolved, surrounding quotes removed
    domain: str  # lower-cased; "[1.2.3.4]" kept with brackets for literals; "" only for <Postmaster>
    quoted: bool = False  # local part was a Quoted-string
    literal: bool = False  # domain is an address literal
    route: tuple[str, ...] = ()  # stripped source route, for logs only

    @property
    def address(self) -> str:
        if not self.domain:
            return self.local
        local = _quote_local(self.local) if self.quoted else self.local
        return f"{local}@{self.domain}"

    def __str__(self) -> str:
        return self.address


def _quote_local(local: str) -> str:
    if _is_dot_string(local, utf8=True):
        return local
    return '"' + local.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _is_atext_char(ch: str, utf8: bool) -> bool:
    if ord(ch) > 0x7F:
        return utf8  # RFC 6531 3.3: atext =/ UTF8-non-ascii
    return bool(_ATEXT.fullmatch(ch))


def _is_dot_string(text: str, utf8: bool) -> bool:
    # RFC 5321 4.1.2: Dot-string = Atom *("." Atom)
    return bool(text) and all(atom and all(_is_atext_char(c, utf8) for c in atom) for atom in text.split("."))


def _parse_quoted(text: str, utf8: bool) -> tuple[str, int]:
    """Quoted-string at text[0]; returns (content, index after closing quote)."""
    out: list[str] = []
    i = 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return "".join(out), i + 1
        if ch == "\\":
            # RFC 5321 4.1.2: quoted-pairSMTP = %d92 %d32-126
            if i + 1 >= len(text) or not 32 <= ord(text[i + 1]) <= 126:
                raise SmtpError(S501_BAD_ADDRESS, "Bad quoted pair in local part")
            out.append(text[i + 1])
            i += 2
            continue
        code = ord(ch)
        # qtextSMTP = %d32-33 / %d35-91 / %d93-126, plus UTF-8 under SMTPUTF8
        if not (32 <= code <= 126 or (code > 0x7F and utf8)):
            raise SmtpError(S501_BAD_ADDRESS, "Bad character in quoted local part")
        out.append(ch)
        i += 1
    raise SmtpError(S501_BAD_ADDRESS, "Unterminated quoted local part")


def _parse_domain(text: str, utf8: bool) -> tuple[str, bool]:
    if text.startswith("["):
        if not text.endswith("]"):
            raise SmtpError(S501_BAD_ADDRESS, "Bad address literal")
        inner = text[1:-1]
        try:
            if inner[:5].upper() == "IPV6:":
                ipaddress.IPv6Address(inner[5:])  # RFC 5321 4.1.3
                return "[IPv6:" + inner[5:].lower() + "]", True
            ipaddress.IPv4Address(inner)
        except ValueError:
            raise SmtpError(S501_BAD_ADDRESS, "Bad address literal") from None
        return text, True
    if not text or len(text.encode("utf-8")) > MAX_DOMAIN:
        raise SmtpError(S501_BAD_ADDRESS, "Bad domain")
    for label in text.split("."):
        if _LDH_LABEL.fullmatch(label):
            continue
        # RFC 6531 3.3: sub-domain =/ U-label; we check shape, not IDNA2008 tables
        if utf8 and label and not label.startswith("-") and not label.endswith("-") and all(
            c.isalnum() or c == "-" or ord(c) > 0x7F for c in label
        ) and any(ord(c) > 0x7F for c in label):
            continue
        raise SmtpError(S501_BAD_ADDRESS, "Bad domain")
    return text.lower(), False


def _strip_route(text: str) -> tuple[str, tuple[str, ...]]:
    # RFC 5321 4.1.2: A-d-l = At-domain *( "," At-domain ) then ":"
    if not text.startswith("@"):
        return text, ()
    colon = text.find(":")
    if colon < 0:
        raise SmtpError(S501_BAD_ADDRESS, "Bad source route")
    hops = []
    for hop in text[:colon].split(","):
        if not hop.startswith("@") or len(hop) < 2:
            raise SmtpError(S501_BAD_ADDRESS, "Bad source route")
        hops.append(_parse_domain(hop[1:], utf8=False)[0])
    return text[colon + 1 :], tuple(hops)


def parse_mailbox(text: str, *, smtputf8: bool = False) -> Path:
    """``local@domain`` without brackets or route (also for ORCPT rfc822 values)."""
    if text.startswith('"'):
        local, end = _parse_quoted(text, smtputf8)
        quoted = True
        if text[end : end + 1] != "@":
            raise SmtpError(S501_BAD_ADDRESS, "Expected @ after local part")
        rest = text[end + 1 :]
    else:
        local, at, rest = text.rpartition("@")
        if not at:
            raise SmtpError(S501_BAD_ADDRESS, "Address needs a domain")
        quoted = False
        if not _is_dot_string(local, smtputf8):
            if any(ord(c) > 0x7F for c in local) and not smtputf8:
                raise SmtpError(S553_BAD_ADDRESS, "8-bit address needs SMTPUTF8")
            raise SmtpError(S501_BAD_ADDRESS, "Bad local part")
    if not local and not quoted:
        raise SmtpError(S501_BAD_ADDRESS, "Empty local part")
    if len(local.encode("utf-8")) > MAX_LOCAL:
        raise SmtpError(S553_BAD_ADDRESS, "Local part too long")
    if any(ord(c) > 0x7F for c in rest) and not smtputf8:
        raise SmtpError(S553_BAD_ADDRESS, "8-bit domain needs SMTPUTF8")
    domain, literal = _parse_domain(rest, smtputf8)
    return Path(local=local, domain=domain, quoted=quoted, literal=literal)


def parse_path(text: str, *, null_ok: bool = False, postmaster_ok: bool = False,
               smtputf8: bool = False) -> Path | NullPath:
    """Parse the address of MAIL FROM (``null_ok=True``) or RCPT TO (``postmaster_ok=True``).

    Accepts ``<...>`` or the bare form aiosmtpd hands over. Raises ``SmtpError``
    carrying a 501 (syntax) or 553 (not allowed) reply.
    """
    text = text.strip(" ")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        # aiosmtpd decodes arguments with surrogateescape: a lone surrogate is a byte that
        # was not UTF-8, which no address may hold (RFC 6531 3.3).
        raise SmtpError(S501_BAD_ADDRESS, "Address is not UTF-8") from None
    if size > MAX_PATH:
        raise SmtpError(S553_BAD_ADDRESS, "Path too long")
    if text.startswith("<") or text.endswith(">"):
        if not (text.startswith("<") and text.endswith(">")) or len(text) < 2:
            raise SmtpError(S501_BAD_ADDRESS, "Unbalanced angle brackets")
        text = text[1:-1]
    if text == "":
        if null_ok:
            return NullPath()
        raise SmtpError(S501_BAD_ADDRESS, "Empty path not allowed here")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text) or " " in text and not text.startswith('"'):
        raise SmtpError(S501_BAD_ADDRESS, "Bad character in address")
    if postmaster_ok and text.lower() == "postmaster":
        return Path(local="Postmaster", domain="")  # RFC 5321 4.1.1.3: must be accepted
    mailbox, route = _strip_route(text)
    path = parse_mailbox(mailbox, smtputf8=smtputf8)
    if route:
        path = Path(path.local, path.domain, path.quoted, path.literal, route)
    return path


def relay_safe_local_part(local: str) -> bool:
    """True when ``local`` can only mean one local mailbox: a plain dot-atom
    without the re-routing characters % ! @ (and no quotes, spaces or controls)."""
    if not local or len(local.encode("utf-8")) > MAX_LOCAL:
        return False
    if any(c in local for c in "%!@\"\\ "):
        return False
    return _is_dot_string(local, utf8=True)


def relay_probe_reason(path: Path) -> str | None:
    """Why this address looks like a relay probe, or None when it is plain."""
    if path.literal:
        return "address literal"
    if "@" in path.local:
        return "quoted local part with @"
    if "%" in path.local:
        return "percent hack"
    if "!" in path.local:
        return "bang path"
    if not relay_safe_local_part(path.local):
        return "unusual local part"
    return None


def split_detail(local: str, sep: str = "+") -> tuple[str, str | None]:
    """``first.last+shop`` -> (``first.last``, ``shop``); a leading separator is no detail."""
    if not sep:
        return local, None
    user, found, detail = local.partition(sep)
    if not found or not user:
        return local, None
    return user, detail
