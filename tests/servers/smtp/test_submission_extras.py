"""End to end on `postvak serve`: SMS/FAX recipients mixed with mail recipients in one
submitted message (queued, then posted to a loopback webhook gateway at once, since the
submission kicks the queue runner: its interval here is an hour), refused bad numbers,
and per-user limits set with `postvak user limits` honoured at MAIL and RCPT."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage

import pytest

from tests.servers.smtp.helpers import mailbox_messages
from tests.servers.smtp.test_gateways import Hook
from tests.support.server import RunningServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]
PASSWORD = "alice-secret-1"


@pytest.fixture(scope="module")
def hook() -> Iterator[Hook]:
    h = Hook()
    yield h
    h.close()


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory, hook: Hook) -> Iterator[RunningServer]:
    env = {"POSTVAK_OUTBOUND__INTERVAL": "3600", "POSTVAK_OUTBOUND__SMS_WEBHOOK": hook.url,
           "POSTVAK_OUTBOUND__FAX_WEBHOOK": hook.url, "POSTVAK_LISTENERS__HTTPS__ENABLED": "false",
           "POSTVAK_DNS__NAMESERVERS": '["127.0.0.1"]', "POSTVAK_DNS__PORT": "9", "POSTVAK_DNS__TIMEOUT": "0.5"}
    server = RunningServer(tmp_path_factory.mktemp("extras"), env=env)
    try:
        for user in ("alice", "bob", "carol", "dave"):
            server.add_user(f"{user}@example.test", PASSWORD)
        yield server
    finally:
        server.stop()


def client(srv: RunningServer, user: str = "alice") -> smtplib.SMTP_SSL:
    c = smtplib.SMTP_SSL("127.0.0.1", srv.port("submissions"), context=srv.client_tls_context(), timeout=30)
    c.login(f"{user}@example.test", PASSWORD)
    return c


def test_sms_and_fax_mixed_with_mail(srv: RunningServer, hook: Hook) -> None:
    msg = EmailMessage()
    msg["From"] = "alice@example.test"
    msg["To"] = "bob@example.test, +32 475 12 34 56@SMS"
    msg["Subject"] = "Standup"
    msg.set_content("Standup moved to 10:30.\n")
    msg.add_attachment(b"%PDF-1.4 agenda", maintype="application", subtype="pdf", filename="agenda.pdf")
    rcpts = ["bob@example.test", "32475123456@SMS", "003221234567@FAX"]
    started = time.monotonic()
    with client(srv) as c:
        refused = c.sendmail("alice@example.test", rcpts, msg.as_bytes(policy=policy.SMTP))
    assert refused == {}
    deadline = time.monotonic() + 20
    while len(hook.posts) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    # Sent within seconds although the runner's interval is an hour: the submission kicked it.
    assert len(hook.posts) == 2, srv.log_since_start()
    assert time.monotonic() - started < 20
    by_transport = {p["transport"]: p for p in hook.posts}
    sms, fax = by_transport["sms"], by_transport["fax"]
    assert sms["to"] == "+32475123456" and sms["from"] == "alice@example.test"
    assert sms["text"] == "Standup moved to 10:30." and sms["attachments_dropped"] == 1
    assert fax["to"] == "+3221234567"
    assert [d["role"] for d in fax["documents"]] == ["body", "attachment"]
    assert fax["documents"][1]["filename"] == "agenda.pdf"
    delivered = mailbox_messages(srv, "bob@example.test")
    assert len(delivered) == 1 and b"Standup moved" in delivered[0]
    hook.posts.clear()


def test_bad_number_refused_at_rcpt(srv: RunningServer) -> None:
    with client(srv) as c:
        c.ehlo()
        assert c.mail("alice@example.test")[0] == 250
        for bad in ("0475123456@SMS", "12@SMS", "call-me@FAX", "+0123456789@SMS"):
            code, text = c.rcpt(bad)
            assert (code, text[:5]) == (553, b"5.1.3"), (bad, text)
        assert c.rcpt("32475123456@sms")[0] == 250  # the pseudo-domain in any case
        c.rset()


def test_sms_not_relayed_from_the_mx(srv: RunningServer) -> None:
    with smtplib.SMTP("127.0.0.1", srv.port("smtp"), timeout=30) as c:
        c.ehlo("client.remote.test")
        assert c.mail("someone@remote.test")[0] == 250
        code, text = c.rcpt("32475123456@SMS")
        assert (code, text[:5]) == (554, b"5.7.1")


def test_user_limits_cli_and_recipients_per_message(srv: RunningServer) -> None:
    out = srv.cli("user", "limits", "carol@example.test").stdout
    assert "messages per day: 1000 (default)" in out and "recipients per message: 100 (default)" in out
    out = srv.cli("user", "limits", "carol@example.test", "--recipients", "2").stdout
    assert "recipients per message: 2 (user)" in out
    with client(srv, "carol") as c:
        c.ehlo()
        assert c.mail("carol@example.test")[0] == 250
        assert c.rcpt("alice@example.test")[0] == 250
        assert c.rcpt("bob@example.test")[0] == 250
        code, text = c.rcpt("dave@example.test")
        assert (code, text[:5]) == (452, b"4.5.3") and b"at most 2" in text
        c.rset()
    # alice keeps the default; back to the default for carol.
    with client(srv) as c:
        c.ehlo()
        c.mail("alice@example.test")
        assert [c.rcpt(f"{u}@example.test")[0] for u in ("bob", "carol", "dave")] == [250, 250, 250]
        c.rset()
    out = srv.cli("user", "limits", "carol@example.test", "--recipients", "default").stdout
    assert "recipients per message: 100 (default)" in out


def test_user_limits_per_day(srv: RunningServer) -> None:
    srv.cli("user", "limits", "dave@example.test", "--per-day", "2")
    raw = b"From: dave@example.test\r\nTo: bob@example.test\r\nSubject: n\r\n\r\nhello\r\n"
    with client(srv, "dave") as c:
        for _ in range(2):
            assert c.sendmail("dave@example.test", ["bob@example.test"], raw) == {}
        c.ehlo()
        code, text = c.mail("dave@example.test")
        assert (code, text[:5]) == (550, b"5.7.1") and b"Daily limit of 2" in text
    out = srv.cli("user", "limits", "dave@example.test", "--per-day", "0").stdout
    assert "messages per day: unlimited (user)" in out
    with client(srv, "dave") as c:
        assert c.sendmail("dave@example.test", ["bob@example.test"], raw) == {}


def test_user_limits_cli_errors(srv: RunningServer) -> None:
    bad = srv.cli("user", "limits", "nobody@example.test", "--per-day", "3", check=False)
    assert bad.returncode == 1 and "no such account" in bad.stderr
    bad = srv.cli("user", "limits", "carol@example.test", "--per-day", "-3", check=False)
    assert bad.returncode == 2
    bad = srv.cli("user", "limits", "carol@example.test", "--per-day", "lots", check=False)
    assert bad.returncode == 2 and "not a number" in bad.stderr
