"""End to end: smtplib submits over implicit TLS to `postvak serve`; the server adds
the domain footer, signs with the domain's DKIM key and its queue runner delivers by
MX (loopback DNS zone) to a loopback aiosmtpd receiver, where dkimpy verifies."""

from __future__ import annotations

import re
import smtplib
import time
from collections.abc import Iterator
from pathlib import Path

import dkim as dkimpy
import pytest

from postvak.servers.smtp.resolver import Dns
from tests.servers.smtp.dns_responder import DnsResponder
from tests.servers.smtp.test_outbound import Mx
from tests.support.server import RunningServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]


@pytest.fixture()
def setup(tmp_path: Path) -> Iterator[tuple[RunningServer, Mx, DnsResponder]]:
    zone = DnsResponder({("remote.test", "MX"): ["10 mx.remote.test."], ("mx.remote.test", "A"): ["127.0.0.1"]})
    mx = Mx(tmp_path)
    # An hour between queue runs: the mail still leaves at once, since the submission kicks the runner.
    env = {"POSTVAK_DNS__NAMESERVERS": '["127.0.0.1"]', "POSTVAK_DNS__PORT": str(zone.port),
           "POSTVAK_OUTBOUND__PORT": str(mx.port), "POSTVAK_OUTBOUND__INTERVAL": "3600",
           "POSTVAK_LISTENERS__HTTPS__ENABLED": "false"}
    srv = RunningServer(tmp_path / "srv", env=env)
    try:
        srv.add_user("alice@example.test", "alice-secret-1")
        srv.cli("footer", "set", "example.test", "Sent from Example BV")
        for line in srv.cli("dns", "example.test").stdout.splitlines():
            if "_domainkey" in line:
                name, _, _, _, value = line.split("\t")
                zone.add(name, "TXT", "".join(re.findall(r'"([^"]*)"', value)))
        srv.restart()  # keys and footers load at start (else within a minute)
        yield srv, mx, zone
    finally:
        srv.stop()
        mx.stop()
        zone.close()


def test_submitted_mail_is_signed_footed_and_delivered_by_mx(setup: tuple[RunningServer, Mx, DnsResponder]) -> None:
    srv, mx, zone = setup
    with smtplib.SMTP_SSL("127.0.0.1", srv.port("submissions"), context=srv.client_tls_context(), timeout=30) as c:
        c.login("alice@example.test", "alice-secret-1")
        c.sendmail("alice@example.test", ["bob@remote.test"],
                   b"From: alice@example.test\r\nTo: bob@remote.test\r\nSubject: out\r\n\r\nHi Bob\r\n")
    deadline = time.monotonic() + 30
    while not mx.recorder.received and time.monotonic() < deadline:
        time.sleep(0.2)
    assert mx.recorder.received, srv.log_since_start()
    sender, rcpts, data, tls = mx.recorder.received[0]
    assert (sender, rcpts, tls) == ("alice@example.test", ["bob@remote.test"], True)
    assert b"Sent from Example BV" in data and b"Hi Bob" in data
    assert dkimpy.verify(data, dnsfunc=Dns(("127.0.0.1",), zone.port, 2.0).dkim_txt)
