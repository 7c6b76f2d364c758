"""Debian's swaks against 25 (plain and STARTTLS), 587 (STARTTLS + AUTH) and 465
(implicit TLS + AUTH), plus its PIPELINING and BDAT modes."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.servers.smtp.dns_responder import DnsResponder
from tests.servers.smtp.helpers import mailbox_messages, start_server
from tests.support.server import RunningServer

pytestmark = pytest.mark.e2e
SWAKS = shutil.which("swaks")


def need_swaks() -> str:
    if SWAKS is None:
        if os.environ.get("CI"):
            pytest.fail("swaks is not installed (apt-get install -y swaks)")
        pytest.skip("swaks is not installed (apt-get install -y swaks)")
    return SWAKS


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    dns = DnsResponder()
    dns.add("swaks.test", "TXT", "v=spf1 ip4:127.0.0.1 -all")
    server = start_server(tmp_path_factory.mktemp("swaks"), dns, POSTVAK_AUTH__PLAINTEXT_ON_LOOPBACK="false")
    try:
        server.add_user("alice@example.test", "alice-secret-1")
        server.add_user("bob@example.test", "bob-secret-1")
        yield server
    finally:
        code = server.stop()
        dns.close()
        assert code == 0


def swaks(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([need_swaks(), "--server", "127.0.0.1", "--helo", "client.swaks.test", *args],
                          capture_output=True, text=True, timeout=60)


def subjects(srv: RunningServer, user: str) -> list[str]:
    out = []
    for raw in mailbox_messages(srv, user):
        for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n"):
            if line.startswith(b"Subject: "):
                out.append(line[9:].decode())
    return out


@pytest.mark.parametrize("mode", [[], ["--tls"], ["--pipeline"], ["--tls", "--pipeline"]],
                         ids=["plain", "starttls", "pipeline", "starttls-pipeline"])
def test_swaks_mx(srv: RunningServer, mode: list[str]) -> None:
    subject = "swaks-mx-" + "-".join(m.strip("-") for m in mode)
    proc = swaks("--port", str(srv.port("smtp")), "--from", "x@swaks.test", "--to", "alice@example.test",
                 "--header", f"Subject: {subject}", *mode)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert subject in subjects(srv, "alice@example.test")



def test_swaks_submission_starttls_auth(srv: RunningServer) -> None:
    proc = swaks("--port", str(srv.port("submission")), "--tls", "--auth", "PLAIN", "--auth-user",
                 "alice@example.test", "--auth-password", "alice-secret-1", "--from", "alice@example.test",
                 "--to", "bob@example.test", "--header", "Subject: swaks-587", "--header", "From: alice@example.test")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "swaks-587" in subjects(srv, "bob@example.test")


def test_swaks_submissions_implicit_tls_login(srv: RunningServer) -> None:
    proc = swaks("--port", str(srv.port("submissions")), "--tls-on-connect", "--auth", "LOGIN", "--auth-user",
                 "bob@example.test", "--auth-password", "bob-secret-1", "--from", "bob@example.test",
                 "--to", "alice@example.test", "--header", "Subject: swaks-465", "--header", "From: bob@example.test")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "swaks-465" in subjects(srv, "alice@example.test")


def test_swaks_auth_without_tls_refused(srv: RunningServer) -> None:
    proc = swaks("--port", str(srv.port("submission")), "--auth", "PLAIN", "--auth-user", "alice@example.test",
                 "--auth-password", "alice-secret-1", "--from", "alice@example.test", "--to", "bob@example.test")
    assert proc.returncode != 0
    assert "did not advertise authentication" in proc.stderr  # no AUTH in EHLO before STARTTLS
    assert "MAIL FROM" not in proc.stdout
