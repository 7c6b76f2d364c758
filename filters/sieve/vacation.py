"""Vacation decisions and replies: who may get an auto-reply (RFC 5230 4.5, 4.6;
RFC 3834 2, 3), the per-sender memory key, and the reply message (RFC 3834 3.1, 5)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from . import addresses
from .context import MessageContext
from .plan import Vacation

LIST_HEADERS = ("list-id", "list-help", "list-unsubscribe", "list-subscribe",
                "list-post", "list-owner", "list-archive")
RECIPIENT_HEADERS = ("to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc")
_SYSTEM_SENDER = re.compile(r"^(mailer-daemon|postmaster|listserv|majordomo|owner-.*|.*-request)$", re.I)


def _norm(address: str) -> str:
    return address.strip().strip("<>").lower()


def without_detail(address: str, separator: str) -> str:
    local, domain = addresses.split(address)
    if separator and separator in local:
        local = local.split(separator, 1)[0]
    return f"{local}@{domain}" if domain is not None else local


def refusal(msg: MessageContext, own: Iterable[str], separator: str = "+") -> str | None:
    """Why no auto-reply may be sent to this message, or None when it qualifies."""
    sender = _norm(msg.envelope_from)
    if not sender:
        return "null sender"  # RFC 3834 2: never answer bounces
    local, _ = addresses.split(sender)
    if _SYSTEM_SENDER.match(local):
        return "system or list sender"  # RFC 5230 4.6
    mine = {_norm(a) for a in own if a} | {_norm(without_detail(a, separator)) for a in own if a}
    if sender in mine or _norm(without_detail(sender, separator)) in mine:
        return "sender is the user"
    for value in msg.headers("auto-submitted"):
        if value.split(";")[0].strip().lower() != "no":
            return "Auto-Submitted"  # RFC 3834 2/5
    if any(msg.has_header(h) for h in LIST_HEADERS):
        return "mailing list"  # RFC 2369/2919 headers
    for value in msg.headers("precedence"):
        if value.strip().lower() in ("bulk", "list", "junk"):
            return "Precedence"
    # RFC 5230 4.5: one of the user's addresses must be an explicit recipient
    listed: set[str] = set()
    for name in RECIPIENT_HEADERS:
        for a in addresses.header_addresses(msg.raw_headers(name)):
            listed.add(_norm(a))
            listed.add(_norm(without_detail(a, separator)))
    if not listed & mine:
        return "not addressed to the user"
    return None


def vacation_key(handle: str, sender: str) -> str:
    """The caller remembers this key for `seconds` (RFC 5230 4.2: per handle and sender)."""
    return hashlib.sha256(f"{handle}\0{_norm(sender)}".encode()).hexdigest()


def default_handle(reason: str, subject: str | None, from_: str | None, mime: bool) -> str:
    # RFC 5230 4.2: without :handle, identical vacation commands share one memory
    text = "\0".join((reason, subject or "", from_ or "", "1" if mime else "0"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def build_vacation_reply(
    action: Vacation,
    original_headers: Mapping[str, str],
    *,
    now: datetime | None = None,
    domain: str | None = None,
) -> bytes:
    """The auto-reply message (RFC 5230 4.3, 5; RFC 3834 3.1, 5).

    original_headers: decoded Subject, Message-ID and References of the message."""
    get = {k.lower(): v for k, v in original_headers.items()}.get
    subject = action.subject
    if subject is None:
        original = (get("subject") or "").strip()
        subject = f"Auto: {original}" if original else "Automated reply"
    msg = EmailMessage()
    msg["From"] = action.from_ or action.recipient
    msg["To"] = action.sender
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=domain or addresses.split(action.recipient)[1] or None)
    msg["Auto-Submitted"] = "auto-replied"  # RFC 3834 5
    msg_id = (get("message-id") or "").strip()
    if msg_id:
        msg["In-Reply-To"] = msg_id
        refs = (get("references") or "").split()
        msg["References"] = " ".join([*refs, msg_id])
    if action.mime:
        # RFC 5230 4.4: the reason is a complete MIME entity (its own headers and body)
        head = bytes(msg).rstrip(b"\r\n").replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        entity = action.reason.replace("\r\n", "\n").replace("\n", "\r\n")
        return head + b"\r\nMIME-Version: 1.0\r\n" + entity.encode("utf-8")
    msg.set_content(action.reason)
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
