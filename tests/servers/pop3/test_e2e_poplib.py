"""End to end: Python's poplib over real TLS against `postvak serve` (995 and 110+STLS)."""

from __future__ import annotations

import poplib
import time

import pytest

from tests.servers.pop3.e2e_support import box_bodies, clear, deliver, sample_message, tricky_messages
from tests.support.server import RunningServer

pytestmark = pytest.mark.e2e
ALICE, PASSWORD = "alice@example.test", "alice-secret-1"


def connect(server: RunningServer) -> poplib.POP3_SSL:
    client = poplib.POP3_SSL(server.host, server.port("pop3s"), context=server.client_tls_context(), timeout=30)
    client.user(ALICE)
    client.pass_(PASSWORD)
    return client


def connect_when_unlocked(server: RunningServer, timeout: float = 10.0) -> poplib.POP3_SSL:
    """The server notices a vanished client a moment later; until then the lock holds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return connect(server)
        except poplib.error_proto as exc:
            if b"IN-USE" not in exc.args[0] or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def retr_bytes(client: poplib.POP3, n: int) -> bytes:
    # poplib strips CRLF and undoes dot-stuffing line by line; rebuild the octets.
    _, lines, _ = client.retr(n)
    return b"".join(line + b"\r\n" for line in lines)


def test_stls_on_110_then_login(mail_server: RunningServer) -> None:
    client = poplib.POP3(mail_server.host, mail_server.port("pop3"), timeout=30)
    caps = client.capa()
    assert "STLS" in caps and "UIDL" in caps and "TOP" in caps
    client.stls(context=mail_server.client_tls_context())
    caps = client.capa()
    assert "STLS" not in caps and caps["SASL"] == ["PLAIN"]
    client.user(ALICE)
    assert client.pass_(PASSWORD).startswith(b"+OK")
    client.quit()


def test_1000_messages_keep_then_nothing_new_then_delete_to_trash(mail_server: RunningServer) -> None:
    store = mail_server.open_store()
    try:
        clear(store, ALICE, "INBOX")
        clear(store, ALICE, "Trash")
        raws = [sample_message(i, 200 + i % 7 * 100) for i in range(1000)]
        deliver(store, ALICE, raws)

        # 1) download everything, leave on server
        client = connect(mail_server)
        count, _ = client.stat()
        assert count == 1000
        uidl = {int(n): uid for n, uid in (line.split() for line in client.uidl()[1])}
        seen = {}
        for n in range(1, count + 1):
            seen[uidl[n].decode()] = retr_bytes(client, n)
        client.quit()
        assert sorted(seen.values()) == sorted(raws)

        # 2) again: every UIDL is known, so a keeping client downloads nothing new
        client = connect(mail_server)
        again = {uid.decode() for _, uid in (line.split() for line in client.uidl()[1])}
        assert again == set(seen)
        new = again - set(seen)
        assert not new

        # 3) delete everything; QUIT commits; the messages are in Trash
        for n in range(1, 1001):
            client.dele(n)
        assert client.quit().startswith(b"+OK")
        client = connect(mail_server)
        assert client.stat() == (0, 0)
        client.quit()
        assert sorted(box_bodies(store, ALICE, "Trash")) == sorted(raws)
    finally:
        store.close()


def test_dropped_connection_deletes_nothing(mail_server: RunningServer) -> None:
    store = mail_server.open_store()
    try:
        clear(store, ALICE, "INBOX")
        deliver(store, ALICE, [sample_message(5000 + i) for i in range(3)])
        client = connect(mail_server)
        client.dele(1)
        client.dele(2)
        client.close()  # no QUIT: poplib just closes the socket
        client = connect_when_unlocked(mail_server)  # also proves the lock was released
        assert client.stat()[0] == 3
        client.quit()
    finally:
        store.close()


def test_second_session_gets_in_use(mail_server: RunningServer) -> None:
    first = connect(mail_server)
    second = poplib.POP3_SSL(mail_server.host, mail_server.port("pop3s"), context=mail_server.client_tls_context(),
                             timeout=30)
    second.user(ALICE)
    with pytest.raises(poplib.error_proto, match=r"\[IN-USE\]"):
        second.pass_(PASSWORD)
    first.quit()
    second.user(ALICE)
    assert second.pass_(PASSWORD).startswith(b"+OK")
    second.quit()


def test_byte_exact_round_trip_of_tricky_messages(mail_server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(poplib, "_MAXLINE", 1 << 20)  # poplib's own 2048-octet guard, not ours
    store = mail_server.open_store()
    try:
        clear(store, ALICE, "INBOX")
        raws = tricky_messages()
        deliver(store, ALICE, raws)
        client = connect(mail_server)
        sizes = {int(n): int(size) for n, size in (line.split() for line in client.list()[1])}
        for n, raw in enumerate(raws, 1):
            got = retr_bytes(client, n)
            # a message without a final CRLF gets one: the multi-line format needs it (RFC 1939 3)
            want = raw if raw.endswith(b"\r\n") else raw + b"\r\n"
            assert got == want, n
            assert sizes[n] == len(raw)
        client.quit()
    finally:
        store.close()
