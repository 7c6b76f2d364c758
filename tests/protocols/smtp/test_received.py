"""Received: trace header."""

from __future__ import annotations

import email
import email.policy
import email.utils
from datetime import UTC, datetime

from postvak.protocols.smtp import TlsInfo, build_received, with_protocol


def test_with_protocol_types() -> None:
    assert with_protocol() == "ESMTP"
    assert with_protocol(tls=True) == "ESMTPS"
    assert with_protocol(auth=True) == "ESMTPA"
    assert with_protocol(tls=True, auth=True) == "ESMTPSA"
    assert with_protocol(tls=True, auth=True, utf8=True) == "UTF8SMTPSA"
    assert with_protocol(esmtp=False) == "SMTP"


def test_received_header() -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    raw = build_received(helo="client.example", peer_ip="192.0.2.7", peer_host="client.example",
                         by_host="mx.example.org", protocol=with_protocol(tls=True, auth=True),
                         queue_id="Q1", for_addr="bob@example.org",
                         tls=TlsInfo("TLSv1.3", "TLS_AES_256_GCM_SHA384", 256), date=when)
    assert raw.startswith(b"Received: from client.example (client.example [192.0.2.7])\r\n\tby mx.example.org")
    assert b"with ESMTPSA (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256 bits))" in raw
    assert b"id Q1" in raw and b"for <bob@example.org>" in raw
    assert raw.endswith(b"Tue, 02 Jan 2024 03:04:05 +0000\r\n")
    msg = email.message_from_bytes(raw + b"\r\nbody", policy=email.policy.default)
    assert "by mx.example.org" in str(msg["Received"])


def test_hostile_helo_cannot_break_header() -> None:
    raw = build_received(helo="evil\r\nX-Injected: 1 (", peer_ip="2001:db8::1", by_host="mx",
                         protocol="ESMTP")
    lines = raw.split(b"\r\n")
    assert all(line.startswith((b"Received:", b"\t")) for line in lines if line)
    assert b"[IPv6:2001:db8::1]" in raw


def test_received_without_a_date_is_stamped_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    raw = build_received(helo="c.example", peer_ip="192.0.2.7", by_host="mx.example.org", protocol="ESMTP")
    after = datetime.now(UTC)
    stamp = email.utils.parsedate_to_datetime(raw.rsplit(b";", 1)[1].strip().decode())
    assert before <= stamp <= after
