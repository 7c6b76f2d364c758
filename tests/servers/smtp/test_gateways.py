"""SMS and FAX transports: routing and number checks, the payloads (SMS text only, fax
body first then attachments), the webhook driver against a loopback HTTP server, the
command driver with a real subprocess, and the queue runner spooling through them."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.servers.smtp.gateways import (
    BadNumber,
    Gateways,
    fax_payload,
    normalize_number,
    route,
    sms_payload,
)
from postvak.servers.smtp.gateways.transport import DriverConfig
from postvak.store import queue
from tests.servers.smtp.dns_responder import DnsResponder
from tests.servers.smtp.test_outbound import World

pytestmark = pytest.mark.timeout(60)


def message(with_attachment: bool = True, html_only: bool = False) -> bytes:
    msg = EmailMessage()
    msg["From"] = "alice@local.test"
    msg["To"] = "32475123456@SMS"
    msg["Subject"] = "Meeting"
    if html_only:
        msg.set_content("<p>See you <b>at 10</b> &amp; bring coffee</p>", subtype="html")
    else:
        msg.set_content("See you at 10 — café?\n")
    if with_attachment:
        msg.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="agenda.pdf")
    return msg.as_bytes()


def test_route() -> None:
    assert route("32475123456@SMS") == "sms"
    assert route("<322123456@fax>") == "fax"
    assert route("bob@example.test") is None
    assert route("SMS") is None and route("@SMS") is None


@pytest.mark.parametrize(("given_", "expected"), [
    ("32475123456@SMS", "+32475123456"), ("+32 475 12 34 56@SMS", "+32475123456"),
    ("0032475123456@SMS", "+32475123456"), ("322123456@FAX", "+322123456"), ("+1-212-555-0100@fax", "+12125550100"),
])
def test_numbers(given_: str, expected: str) -> None:
    assert normalize_number(given_) == expected


@pytest.mark.parametrize("bad", ["0475123456@SMS", "abc@SMS", "123@SMS", "+0123456789@SMS",
                                 "1234567890123456@SMS", "٣٢٤٧٥١٢٣٤٥٦@SMS"])
def test_bad_numbers(bad: str) -> None:
    with pytest.raises(BadNumber):
        normalize_number(bad)


@given(st.text(max_size=40))
def test_number_property(local: str) -> None:
    try:
        n = normalize_number(local + "@SMS")
    except BadNumber:
        return
    assert n[0] == "+" and n[1:].isdigit() and n[1] != "0" and 7 <= len(n) - 1 <= 15


def test_sms_payload_is_text_only() -> None:
    p = sms_payload("+32475123456", "alice@local.test", message())
    assert p["transport"] == "sms" and p["to"] == "+32475123456" and p["subject"] == "Meeting"
    assert p["text"] == "See you at 10 — café?"
    assert p["attachments_dropped"] == 1 and "documents" not in p
    html = sms_payload("+32475123456", "a@b", message(with_attachment=False, html_only=True))
    assert html["text"] == "See you at 10 & bring coffee" and html["attachments_dropped"] == 0


def test_fax_payload_body_first_then_attachments() -> None:
    p = fax_payload("+322123456", "alice@local.test", message())
    body, att = p["documents"]
    assert body["role"] == "body" and body["text"].startswith("Meeting\n\nSee you at 10")
    assert att == {"role": "attachment", "filename": "agenda.pdf", "content_type": "application/pdf",
                   "encoding": "base64", "data": base64.b64encode(b"%PDF-1.4 fake").decode()}
    assert "documents[0] is the message body" in p["page_model"]


class Hook:
    """A loopback HTTP gateway: records POSTed JSON, answers `status`."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers["Content-Length"])
                assert self.headers["Content-Type"] == "application/json"
                hook.posts.append(json.loads(self.rfile.read(length)))
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def hook() -> Iterator[Hook]:
    h = Hook()
    yield h
    h.close()


def send(gw: Gateways, transport: str, rcpt: str, raw: bytes) -> Any:
    return asyncio.run(gw.send(transport, "alice@local.test", rcpt, raw))


def test_webhook_driver(hook: Hook) -> None:
    gw = Gateways({"sms": DriverConfig(webhook=hook.url, timeout=5), "fax": DriverConfig(webhook=hook.url, timeout=5)})
    res = send(gw, "sms", "32475123456@SMS", message())
    assert res.status == "sent" and res.detail.startswith("2.0.0") and res.remote == "127.0.0.1"
    assert hook.posts[-1]["to"] == "+32475123456" and hook.posts[-1]["text"].startswith("See you")
    send(gw, "fax", "322123456@FAX", message())
    assert [d["role"] for d in hook.posts[-1]["documents"]] == ["body", "attachment"]
    hook.status = 503
    assert send(gw, "sms", "32475123456@SMS", message()).status == "pending"
    hook.status = 400
    assert send(gw, "sms", "32475123456@SMS", message()).status == "failed"


def test_webhook_unreachable_is_temporary() -> None:
    gw = Gateways({"sms": DriverConfig(webhook="http://127.0.0.1:9/none", timeout=2)})
    res = send(gw, "sms", "32475123456@SMS", message())
    assert res.status == "pending" and res.detail.startswith("4.4.1")


def test_bad_number_and_missing_gateway_fail() -> None:
    gw = Gateways({"sms": DriverConfig()})
    assert send(gw, "sms", "0475@SMS", message()).detail.startswith("5.1.3")
    res = send(gw, "sms", "32475123456@SMS", message())
    assert res.status == "failed" and "no SMS gateway" in res.detail


def test_command_driver(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    script = tmp_path / "gw.py"
    script.write_text(
        "import os, sys\n"
        f"open({str(out)!r}, 'wb').write(sys.stdin.buffer.read())\n"
        "open(sys.argv[1], 'w').write(os.environ['POSTVAK_TRANSPORT'] + ' ' + os.environ['POSTVAK_NUMBER'])\n"
        "sys.exit(int(sys.argv[2]))\n")
    env_file = tmp_path / "env.txt"

    def driver(code: int) -> Gateways:
        return Gateways({"sms": DriverConfig(command=(sys.executable, str(script), str(env_file), str(code)),
                                             timeout=20)})

    res = send(driver(0), "sms", "+32475123456@sms", message())
    assert res.status == "sent"
    assert json.loads(out.read_text())["text"].startswith("See you")
    assert env_file.read_text() == "sms +32475123456"
    assert send(driver(75), "sms", "32475123456@SMS", message()).status == "pending"  # EX_TEMPFAIL
    assert send(driver(1), "sms", "32475123456@SMS", message()).status == "failed"
    missing = Gateways({"sms": DriverConfig(command=(str(tmp_path / "nope"),))})
    assert send(missing, "sms", "32475123456@SMS", message()).status == "pending"


def test_queue_runner_spools_through_gateways(tmp_path: Path, hook: Hook) -> None:
    zone = DnsResponder()
    w = World(tmp_path, zone, 1, POSTVAK_OUTBOUND__SMS_WEBHOOK=hook.url)
    try:
        w.enqueue("alice@local.test", ["32475123456@SMS", "0475@SMS", "322123456@FAX"], message())
        w.tick()
        assert [p["to"] for p in hook.posts] == ["+32475123456"]
        assert w.queue() == []  # the bad number and the unconfigured fax gateway failed for good
        [dsn] = w.inbox()
        assert b"Status: 5.1.3" in dsn and b"Status: 5.3.3" in dsn
        hook.status = 503
        qid = w.enqueue("alice@local.test", ["32475123456@SMS"], message())
        w.tick()
        assert w.store.read(queue.get, qid).recipients[0].status == "pending"
    finally:
        w.close()
        zone.close()
