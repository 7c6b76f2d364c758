"""Delivery Status Notifications (RFC 3464, RFC 3461, RFC 6533), built as bytes.

Null sender semantics (RFC 5321 4.5.5, RFC 3464 2): a DSN is itself sent with
``MAIL FROM:<>`` so that it can never cause another DSN; and no DSN is ever
generated for a message whose envelope sender was null (``should_send_dsn``).
The report carries ``Auto-Submitted: auto-replied`` (RFC 3834 5) so that
vacation responders and filters leave it alone.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid

from postvak.protocols.smtp.address import NullPath, Path
from postvak.protocols.smtp.params import encode_xtext

ACTIONS = frozenset({"failed", "delayed", "delivered", "relayed", "expanded"})  # RFC 3464 2.3.3
_STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")


@dataclass(frozen=True)
class OriginalEnvelope:
    mail_from: Path | NullPath
    envelope_id: str | None = None  # ENVID, RFC 3461 4.4
    arrival_date: datetime | None = None
    received_from_mta: str | None = None


@dataclass(frozen=True)
class DsnRecipient:
    address: str
    action: str
    status: str  # "5.1.1"
    diagnostic: str | None = None  # e.g. "550 5.1.1 No such user"; "smtp; " added
    original_recipient: str | None = None  # ORCPT as given, "rfc822;a@b"
    remote_mta: str | None = None


def should_send_dsn(mail_from: Path | NullPath | str) -> bool:
    """False for the null reverse-path: never bounce a bounce (RFC 5321 4.5.5)."""
    if isinstance(mail_from, NullPath):
        return False
    return str(mail_from).strip("<> ") != ""


def _header_value(text: str) -> str:
    return re.sub(r"[\r\n]+", " ", text)


def _needs_utf8(text: str) -> bool:
    return any(ord(c) > 0x7F for c in text)


def _recipient_block(rcpt: DsnRecipient) -> list[str]:
    if rcpt.action not in ACTIONS:
        raise ValueError(f"bad DSN action {rcpt.action!r}")
    if not _STATUS.match(rcpt.status):
        raise ValueError(f"bad DSN status {rcpt.status!r}")
    addr_type = "utf-8" if _needs_utf8(rcpt.address) else "rfc822"  # RFC 6533 3
    lines = []
    if rcpt.original_recipient:
        lines.append(f"Original-Recipient: {_header_value(rcpt.original_recipient)}")
    lines.append(f"Final-Recipient: {addr_type}; {_header_value(rcpt.address)}")
    lines.append(f"Action: {rcpt.action}")
    lines.append(f"Status: {rcpt.status}")
    if rcpt.remote_mta:
        lines.append(f"Remote-MTA: dns; {_header_value(rcpt.remote_mta)}")
    if rcpt.diagnostic:
        diag = _header_value(rcpt.diagnostic)
        lines.append(f"Diagnostic-Code: {diag if ';' in diag.split(' ')[0] else 'smtp; ' + diag}")
    return lines


def _human_text(reporting_mta: str, recipients: Sequence[DsnRecipient]) -> str:
    failed = [r for r in recipients if r.action == "failed"]
    delayed = [r for r in recipients if r.action == "delayed"]
    out = [f"This is the mail system at {reporting_mta}.", ""]
    if failed:
        out.append("Your message could not be delivered to these recipients:")
    elif delayed:
        out.append("Your message has not been delivered yet; the system will keep trying:")
    else:
        out.append("Delivery status of your message:")
    out.append("")
    for rcpt in recipients:
        out.append(f"  <{rcpt.address}>: {rcpt.action}, {rcpt.diagnostic or rcpt.status}")
    return "\r\n".join(_header_value(line) for line in out) + "\r\n"


def build_dsn(
    reporting_mta: str,
    original_envelope: OriginalEnvelope,
    recipients: Sequence[DsnRecipient | tuple[str, str, str, str | None]],
    original_headers: bytes,
    *,
    subject: str | None = None,
    date: datetime | None = None,
    boundary: str | None = None,
) -> bytes:
    """The complete multipart/report message, CRLF line endings, ready to queue with MAIL FROM:<>."""
    if not recipients:
        raise ValueError("a DSN needs at least one recipient")
    rcpts = [r if isinstance(r, DsnRecipient) else DsnRecipient(*r) for r in recipients]
    to = str(original_envelope.mail_from)
    when = date or datetime.now(UTC)
    utf8 = _needs_utf8(original_headers.decode("utf-8", "replace")) or any(_needs_utf8(r.address) for r in rcpts)
    # RFC 6533 6: 8-bit content goes in message/global-* parts
    status_type = "message/global-delivery-status" if utf8 else "message/delivery-status"
    headers_type = "message/global-headers" if utf8 else "text/rfc822-headers"
    boundary = boundary or "=_dsn_" + secrets.token_hex(12)
    if subject is None:
        subject = "Undelivered Mail Returned to Sender" if any(r.action == "failed" for r in rcpts) \
            else "Delivery Status Notification"

    per_message = [f"Reporting-MTA: dns; {reporting_mta}"]
    if original_envelope.envelope_id is not None:
        per_message.append(f"Original-Envelope-Id: {encode_xtext(original_envelope.envelope_id)}")
    if original_envelope.received_from_mta:
        per_message.append(f"Received-From-MTA: dns; {_header_value(original_envelope.received_from_mta)}")
    if original_envelope.arrival_date is not None:
        per_message.append(f"Arrival-Date: {format_datetime(original_envelope.arrival_date)}")
    status_body = "\r\n".join(per_message) + "\r\n"
    for rcpt in rcpts:
        status_body += "\r\n" + "\r\n".join(_recipient_block(rcpt)) + "\r\n"

    head = original_headers.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    end = head.find(b"\r\n\r\n")
    head = head[: end + 2] if end >= 0 else (head if head.endswith(b"\r\n") or not head else head + b"\r\n")

    top = [
        f"From: Mail Delivery System <MAILER-DAEMON@{reporting_mta}>",
        f"To: <{_header_value(to)}>",
        f"Subject: {_header_value(subject)}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: {make_msgid(domain=reporting_mta)}",
        "Auto-Submitted: auto-replied",  # RFC 3834 5
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
    ]
    out = bytearray()
    out += ("\r\n".join(top) + "\r\n\r\nThis is a MIME-encapsulated delivery status report.\r\n\r\n").encode()
    out += f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n".encode()
    out += b"Content-Transfer-Encoding: 8bit\r\n\r\n" + _human_text(reporting_mta, rcpts).encode()
    out += f"\r\n--{boundary}\r\nContent-Type: {status_type}\r\n\r\n".encode() + status_body.encode()
    out += f"\r\n--{boundary}\r\nContent-Type: {headers_type}\r\n\r\n".encode() + head
    out += f"\r\n--{boundary}--\r\n".encode()
    return bytes(out)
