"""Back-pressure through SessionIO.drain(): a client that stops reading fills the server's
write buffer (the transport pauses the session), and once it reads again every byte
arrives, in order, and the session goes on. Real server, real TLS on loopback."""

from __future__ import annotations

import re
import socket
import ssl
import time

import pytest

from tests.support.server import RunningServer

USER, PASSWORD = "pressure@example.test", "pressure-secret-1"
SIZE = 400_000
COUNT = 6


def _message(i: int) -> bytes:
    head = (f"From: a@example.test\r\nTo: {USER}\r\nSubject: big {i}\r\n"
            f"Message-ID: <big{i}@example.test>\r\n\r\n").encode()
    line = (f"{i:02d}" + "x" * 76 + "\r\n").encode()
    return head + line * ((SIZE - len(head)) // len(line))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    srv = RunningServer(tmp_path_factory.mktemp("pressure") / "var")
    srv.add_user(USER, PASSWORD)
    from postvak.store import accounts, mailboxes, messages

    store = srv.open_store()
    try:
        acct = store.read(accounts.get_account, USER)
        box = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
        for i in range(COUNT):
            store.write(messages.ingest, acct.id, box.id, _message(i))
    finally:
        store.close()
    yield srv
    assert srv.stop() == 0


def _read_until(sock: ssl.SSLSocket, buf: bytearray, tag: bytes) -> None:
    while not re.search(rb"(^|\r\n)" + tag + rb" (OK|NO|BAD)[^\r\n]*\r\n", buf):
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed; got {bytes(buf[-200:])!r}")
        buf += chunk


def test_a_client_that_stops_reading_gets_every_byte_later(server: RunningServer) -> None:
    raw = socket.create_connection(("127.0.0.1", server.port("imaps")), timeout=30)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)  # small, so the server's buffer fills
    sock = server.client_tls_context().wrap_socket(raw, server_hostname="mail.example.test")
    try:
        buf = bytearray()
        sock.sendall(f'a LOGIN {USER} "{PASSWORD}"\r\nb SELECT INBOX\r\n'.encode())
        _read_until(sock, buf, b"b")
        buf.clear()
        sock.sendall(b"c FETCH 1:* BODY.PEEK[]\r\n")
        time.sleep(1.0)  # not reading: 2.4 MB cannot fit in the socket buffers, the server pauses
        _read_until(sock, buf, b"c")
        assert buf.endswith(b"c OK FETCH completed\r\n")
        seqs = []
        for m in re.finditer(rb"\* (\d+) FETCH \(BODY\[\] \{(\d+)\}\r\n", buf):
            seq, size = int(m.group(1)), int(m.group(2))
            seqs.append(seq)
            assert bytes(buf[m.end() : m.end() + size]) == _message(seq - 1)  # whole and in order
        assert seqs == list(range(1, COUNT + 1))
        buf.clear()
        sock.sendall(b"d NOOP\r\n")
        _read_until(sock, buf, b"d")
        assert b"d OK" in buf
    finally:
        sock.close()
