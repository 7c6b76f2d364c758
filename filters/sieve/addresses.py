"""Addresses for the address and envelope tests (RFC 5228 2.7.4, 5.1, 5.4) and
subaddress parts (RFC 5233)."""

from __future__ import annotations

import email.utils
import re

_FOLD = re.compile(r"\r?\n(?=[ \t])")


def header_addresses(raw_values: list[str]) -> list[str]:
    """The addr-specs in address headers, in order; groups contribute their members."""
    out = []
    for value in raw_values:
        value = _FOLD.sub("", value)
        try:
            pairs = email.utils.getaddresses([value])
        except Exception:  # unparsable header: treat the whole value as one address
            pairs = [("", value.strip())]
        for _name, addr in pairs:
            if addr:
                out.append(addr)
    return out


def split(address: str) -> tuple[str, str | None]:
    """localpart, domain (None when there is no "@")."""
    at = address.rfind("@")
    if at < 0:
        return address, None
    return address[:at], address[at + 1:]


def part(address: str, which: str, separator: str = "+") -> str | None:
    """The part an address-part tag selects; None when it does not exist, so that
    the address is skipped (RFC 5233 4: :detail of an address without detail)."""
    if which == ":all":
        return address
    local, domain = split(address)
    if which == ":localpart":
        return local
    if which == ":domain":
        return domain if domain is not None else ""
    if which == ":user":
        return local.split(separator, 1)[0] if separator else local
    if which == ":detail":
        if not separator or separator not in local:
            return None
        return local.split(separator, 1)[1]
    raise ValueError(which)
