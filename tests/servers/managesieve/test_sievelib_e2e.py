"""ManageSieve end to end: sievelib's client against `postvak serve` over STARTTLS."""

from __future__ import annotations

import socket
import ssl

import pytest
from sievelib import managesieve

from tests.support.server import RunningServer

FILTER = """require ["fileinto", "mailbox", "imap4flags"];
if header :contains "subject" "invoice" {
    fileinto :create "Bills";
}
"""


@pytest.fixture()
def tls_trust(mail_server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # sievelib builds its own default context; make it trust this server's certificate.
    context = mail_server.client_tls_context()
    monkeypatch.setattr(managesieve.ssllib, "create_default_context", lambda *a, **k: context)


def connect(server: RunningServer, user: str = "alice@example.test", password: str = "alice-secret-1"):
    client = managesieve.Client("127.0.0.1", server.port("managesieve"))
    assert client.connect(user, password, starttls=True, authmech="PLAIN"), client.errmsg
    return client


def test_capabilities_and_upload_check_activate_fetch(mail_server: RunningServer, tls_trust: None) -> None:
    client = connect(mail_server)
    try:
        assert client.get_implementation().startswith("Postvak")
        extensions = client.get_sieve_capabilities()
        for ext in ("fileinto", "vacation", "imap4flags", "reject", "body", "include", "spamtest"):
            assert ext in extensions
        assert client.checkscript(FILTER)
        assert not client.checkscript('require "fileinto";\nfileinto;\n')
        assert b"line" in client.errmsg.lower()
        assert client.havespace("main", len(FILTER))
        assert client.putscript("main", FILTER)
        assert client.putscript("spare", "keep;\n")
        assert client.setactive("main")
        active, others = client.listscripts()
        assert active == "main" and others == ["spare"]
        assert client.getscript("main").replace("\r\n", "\n").rstrip() == FILTER.rstrip()
        assert not client.deletescript("main")  # active: refused (RFC 5804 2.10)
        assert client.renamescript("spare", "other")
        assert client.deletescript("other")
        assert not client.putscript("broken", 'if header :contains "subject" {\n')
        assert client.listscripts() == ("main", [])
    finally:
        client.logout()


def test_quota_on_script_size(mail_server: RunningServer, tls_trust: None) -> None:
    client = connect(mail_server)
    try:
        assert not client.havespace("huge", 10_000_000)
        assert b"QUOTA" in (client.errcode or b"")
    finally:
        client.logout()


def test_other_user_cannot_see_scripts(mail_server: RunningServer, tls_trust: None) -> None:
    client = connect(mail_server, "bob@example.test", "bob-secret-1")
    try:
        assert client.putscript("bobs", "keep;\n")
        active, others = client.listscripts()
        assert "main" not in others and active != "main"
        assert client.getscript("main") is None
    finally:
        client.logout()


def test_plain_refused_without_tls_from_outside_rules(mail_server: RunningServer) -> None:
    # The greeting is the capability list, with STARTTLS offered.
    with socket.create_connection(("127.0.0.1", mail_server.port("managesieve")), timeout=5) as sock:
        data = b""
        while not data.endswith(b"OK\r\n"):
            chunk = sock.recv(4096)
            assert chunk
            data += chunk
        assert b'"STARTTLS"' in data and b'"VERSION" "1.0"' in data
        sock.sendall(b"LISTSCRIPTS\r\n")
        assert sock.recv(4096).startswith(b"NO")
        sock.sendall(b"STARTTLS\r\n")
        assert sock.recv(4096).startswith(b"OK")
        tls = mail_server.client_tls_context().wrap_socket(sock)
        caps = b""
        while not caps.endswith(b"OK\r\n"):
            caps += tls.recv(4096)
        assert b'"STARTTLS"' not in caps and b'"SASL" "PLAIN"' in caps
        tls.sendall(b'NOOP "abc"\r\nLOGOUT\r\n')
        reply = b""
        while b"Logout" not in reply:
            chunk = tls.recv(4096)
            if not chunk:
                break
            reply += chunk
        assert reply.startswith(b'OK (TAG "abc")')
        assert ssl is not None
