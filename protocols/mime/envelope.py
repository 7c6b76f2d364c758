"""IMAP ENVELOPE (RFC 3501 7.4.2, RFC 9051 7.5.2) and message ids from parsed header fields."""

from __future__ import annotations

import re
from collections.abc import Iterable

from postvak.protocols.mime.addresses import parse_addresses
from postvak.protocols.mime.model import Envelope, Header

_FIELDS = frozenset(
    ("date", "subject", "from", "sender", "reply-to", "to", "cc", "bcc", "in-reply-to", "message-id")
)
_MSGID = re.compile(r"<([^<>]*)>")
_INNER_WS = re.compile(r"\s+")


def first_values(headers: Iterable[Header], names: frozenset[str] = _FIELDS) -> dict[str, str]:
    """First value of each wanted field (lower-cased names)."""
    found: dict[str, str] = {}
    for h in headers:
        key = h.name.lower()
        if key in names and key not in found:
            found[key] = h.value
    return found


def build_envelope(headers: Iterable[Header]) -> Envelope:
    v = first_values(headers)
    from_ = parse_addresses(v.get("from"))
    # RFC 3501 7.4.2: absent or empty Sender / Reply-To take the value of From.
    sender = parse_addresses(v.get("sender")) or from_
    reply_to = parse_addresses(v.get("reply-to")) or from_
    return Envelope(
        date=v.get("date") or None,
        subject=v.get("subject"),
        from_=from_,
        sender=sender,
        reply_to=reply_to,
        to=parse_addresses(v.get("to")),
        cc=parse_addresses(v.get("cc")),
        bcc=parse_addresses(v.get("bcc")),
        in_reply_to=v.get("in-reply-to") or None,
        message_id=v.get("message-id") or None,
    )


def msg_ids(value: str | None) -> tuple[str, ...]:
    """msg-id values (RFC 5322 3.6.4) without angle brackets; folding whitespace removed.

    A value with no brackets at all but a single word is taken as one id (broken mailers).
    """
    if not value:
        return ()
    found = [_INNER_WS.sub("", m) for m in _MSGID.findall(value)]
    ids = tuple(i for i in found if i)
    if not ids and "<" not in value:
        bare = value.strip()
        if bare and not any(c.isspace() for c in bare):
            return (bare,)
    return ids
