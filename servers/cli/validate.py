"""Checks on what the admin types: addresses, domain names, sizes, listen addresses.

Deliberately simple: dot-atom local parts (RFC 5322 3.2.3) and host names made of
letters, digits and hyphens (RFC 1035 2.3.1, RFC 5321 4.1.2); non-ASCII is allowed
in both for SMTPUTF8 (RFC 6531). Quoted local parts are refused on purpose: nobody
creates mailboxes named "john doe"@example.org.
"""

from __future__ import annotations

import ipaddress
import re

from postvak.servers.cli.errors import CliError

# RFC 5322 3.2.3 atext, plus any non-ASCII character (RFC 6532 3.2).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]"
_LOCAL = re.compile(rf"{_ATEXT}+(\.{_ATEXT}+)*\Z")
_LABEL = re.compile(r"([a-z0-9\u0080-\U0010ffff]([a-z0-9\-\u0080-\U0010ffff]*[a-z0-9\u0080-\U0010ffff])?)\Z")
MAX_LOCAL = 64  # RFC 5321 4.5.3.1.1
MAX_DOMAIN = 255  # RFC 5321 4.5.3.1.2

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\Z", re.IGNORECASE)


def domain(name: str) -> str:
    """A lower-cased domain name, or CliError."""
    clean = name.strip().lower().rstrip(".")
    labels = clean.split(".")
    if not clean or len(clean) > MAX_DOMAIN or not all(len(lb) <= 63 and _LABEL.match(lb) for lb in labels):
        raise CliError(f"not a domain name: {name!r}")
    return clean


def address(text: str) -> str:
    """local@domain with the domain lower-cased, or CliError."""
    local, at, dom = text.strip().rpartition("@")
    if not at or not local or not _LOCAL.match(local) or len(local) > MAX_LOCAL:
        raise CliError(f"not a mail address: {text!r}")
    try:
        return f"{local}@{domain(dom)}"
    except CliError:
        raise CliError(f"not a mail address: {text!r}") from None


def alias_address(text: str) -> str:
    """An address, or "@domain" for the domain's catch-all."""
    if text.strip().startswith("@"):
        return "@" + domain(text.strip()[1:])
    return address(text)


def size(text: str) -> int | None:
    """"500M", "2G", "1048576" -> bytes (binary units); "0", "none", "unlimited" -> None."""
    clean = text.strip()
    if clean.lower() in ("none", "unlimited", "0"):
        return None
    match = _SIZE.match(clean)
    if not match:
        raise CliError(f"not a size: {text!r} (use e.g. 500M, 2G, or 'none' for unlimited)")
    value = int(float(match.group(1)) * _UNITS[match.group(2).upper()])
    return value or None


def human_size(value: int | None) -> str:
    if value is None:
        return "unlimited"
    amount = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} GiB"


def listen_address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        raise CliError(f"not an IP address to listen on: {text!r}") from None
