"""Connection limits per client IP, on a plain and an implicit-TLS listener."""

from __future__ import annotations

import socket
import ssl
import time

import pytest

from tests.support.server import RunningServer


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory):
    server = RunningServer(tmp_path_factory.mktemp("limits") / "var",
                           env={"POSTVAK_LIMITS__MAX_CONNECTIONS_PER_IP": "2"})
    yield server
    assert server.stop() == 0


def _greeting(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    return sock.recv(200)


def _open_greeted(port: int, ctx: ssl.SSLContext | None) -> socket.socket:
    """A greeted connection; retried while the server still counts earlier tests' closed ones."""
    for _ in range(50):
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            sock = ctx.wrap_socket(raw, server_hostname="mail.example.test") if ctx else raw
            if _greeting(sock).startswith(b"* OK"):
                return sock
        except (ConnectionResetError, ssl.SSLError, OSError):
            pass
        raw.close()
        time.sleep(0.1)
    raise AssertionError("no greeting within 5 s")


def _closed_at_once(port: int) -> bool:
    """The server drops the connection unread: EOF, or a reset that can arrive while the
    (timeout-mode, so non-blocking) connect is still being confirmed. Never a greeting or a hang."""
    try:
        extra = socket.create_connection(("127.0.0.1", port), timeout=10)
    except ConnectionResetError:
        return True
    with extra:
        extra.settimeout(10)
        try:
            return extra.recv(200) == b""
        except ConnectionResetError:
            return True


@pytest.mark.parametrize("listener", ["imap", "imaps"])
def test_connection_over_the_per_ip_limit_is_closed_at_once(limited: RunningServer, listener: str) -> None:
    port = limited.port(listener)
    ctx = limited.client_tls_context()
    kept = []
    try:
        for _ in range(2):
            kept.append(_open_greeted(port, ctx if listener == "imaps" else None))
        assert _closed_at_once(port)
    finally:
        for sock in kept:
            sock.close()
    assert "connect.refused" in limited.log_since_start()


def test_a_slot_frees_when_a_client_leaves(limited: RunningServer) -> None:
    port = limited.port("imap")
    first = socket.create_connection(("127.0.0.1", port), timeout=10)
    second = socket.create_connection(("127.0.0.1", port), timeout=10)
    assert _greeting(first).startswith(b"* OK") and _greeting(second).startswith(b"* OK")
    first.close()
    for _ in range(50):  # the server notices the close asynchronously
        got = b""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as third:
                third.settimeout(10)
                got = third.recv(200)
        except ConnectionResetError:
            pass  # still counted as full: refused at once, try again
        if got.startswith(b"* OK"):
            break
        time.sleep(0.1)
    second.close()
    assert got.startswith(b"* OK")
