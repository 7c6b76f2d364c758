"""Which recipients are gateway numbers, and their E.164 form."""

from __future__ import annotations

import re

TRANSPORTS = {"sms": "sms", "fax": "fax"}
_SEPARATORS = re.compile(r"[\s.\-()/]")


class BadNumber(ValueError):
    """Not an international number (E.164)."""


def route(recipient: str) -> str | None:
    """"sms" for NUMBER@SMS, "fax" for NUMBER@FAX (any case), None for mail."""
    local, at, domain = recipient.strip().strip("<>").rpartition("@")
    if not at or not local:
        return None
    return TRANSPORTS.get(domain.lower())


def normalize_number(recipient: str) -> str:
    """`32475123456@SMS`, `+32 475 12 34 56@sms`, `0032475123456@SMS` -> "+32475123456".
    ITU-T E.164: a country code (never starting with 0) and at most 15 digits in all;
    a national number (leading single 0) is refused, since the gateway cannot know the country."""
    local = recipient.strip().strip("<>").rpartition("@")[0]
    digits = _SEPARATORS.sub("", local)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        raise BadNumber(f"{local!r} is a national number; use the international form (country code first)")
    if not digits.isdigit() or not digits.isascii():
        raise BadNumber(f"{local!r} is not a phone number")
    if digits.startswith("0") or not 7 <= len(digits) <= 15:
        raise BadNumber(f"{local!r} is not an international number (E.164: 7 to 15 digits, country code first)")
    return "+" + digits
