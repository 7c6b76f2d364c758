"""DSN messages parsed back by the stdlib email parser."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

import pytest

from postvak.protocols.smtp import DsnRecipient, NullPath, OriginalEnvelope, Path, build_dsn, should_send_dsn

HEADERS = b"From: alice@example.org\r\nTo: nobody@example.net\r\nSubject: hello\r\n\r\nbody is not included\r\n"


def parse(raw: bytes) -> email.message.EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


def test_structure() -> None:
    raw = build_dsn(
        "mx.example.org",
        OriginalEnvelope(Path("alice", "example.org"), envelope_id="abc 123",
                         arrival_date=datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        [("nobody@example.net", "failed", "5.1.1", "550 5.1.1 No such user here"),
         DsnRecipient("late@example.net", "delayed", "4.4.1", None, "rfc822;late@example.net",
                      "mx.example.net")],
        HEADERS,
    )
    assert b"\n" not in raw.replace(b"\r\n", b"")
    msg = parse(raw)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["To"].addresses[0].addr_spec == "alice@example.org"
    assert "MAILER-DAEMON@mx.example.org" in msg["From"]
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == [
        "text/plain", "message/delivery-status", "text/rfc822-headers"]
    assert "nobody@example.net" in parts[0].get_content()
    status = parts[1]
    # the stdlib parses delivery-status into one header block per recipient, after the per-message one
    blocks = status.get_payload()
    assert blocks[0]["Reporting-MTA"] == "dns; mx.example.org"
    assert blocks[0]["Original-Envelope-Id"] == "abc+20123"
    assert "Arrival-Date" in blocks[0]
    assert blocks[1]["Final-Recipient"] == "rfc822; nobody@example.net"
    assert blocks[1]["Action"] == "failed"
    assert blocks[1]["Status"] == "5.1.1"
    assert blocks[1]["Diagnostic-Code"] == "smtp; 550 5.1.1 No such user here"
    assert blocks[2]["Action"] == "delayed"
    assert blocks[2]["Original-Recipient"] == "rfc822;late@example.net"
    assert blocks[2]["Remote-MTA"] == "dns; mx.example.net"
    headers = parts[2].get_payload(decode=True)
    assert b"Subject: hello" in headers and b"body is not included" not in headers
    assert msg["Subject"] == "Undelivered Mail Returned to Sender"


def test_utf8_uses_global_types() -> None:
    raw = build_dsn("mx.example.org", OriginalEnvelope(Path("a", "b.example")),
                    [("jörg@bücher.example", "failed", "5.1.1", None)],
                    "Subject: grüße\r\n\r\n".encode())
    types = [p.get_content_type() for p in parse(raw).iter_parts()]
    assert types == ["text/plain", "message/global-delivery-status", "message/global-headers"]
    assert "Final-Recipient: utf-8; jörg@bücher.example".encode() in raw


def test_delivered_subject_and_validation() -> None:
    raw = build_dsn("mx", OriginalEnvelope(Path("a", "b")), [("c@d", "delivered", "2.0.0", None)], b"A: b\r\n")
    assert parse(raw)["Subject"] == "Delivery Status Notification"
    with pytest.raises(ValueError):
        build_dsn("mx", OriginalEnvelope(Path("a", "b")), [("c@d", "lost", "5.0.0", None)], b"")
    with pytest.raises(ValueError):
        build_dsn("mx", OriginalEnvelope(Path("a", "b")), [("c@d", "failed", "550", None)], b"")
    with pytest.raises(ValueError):
        build_dsn("mx", OriginalEnvelope(Path("a", "b")), [], b"")


def test_never_bounce_a_bounce() -> None:
    assert not should_send_dsn(NullPath())
    assert not should_send_dsn("<>")
    assert not should_send_dsn("")
    assert should_send_dsn(Path("a", "b"))
    assert should_send_dsn("a@b")
