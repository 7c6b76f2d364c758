"""Durability: `kill -9` during a bounded load; after a restart every message that
got a 250 is in its mailbox exactly once (read back through the store)."""

from __future__ import annotations

import smtplib
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.smtp.dns_responder import DnsResponder
from tests.servers.smtp.helpers import mailbox_messages, start_server

pytestmark = pytest.mark.e2e

THREADS, PER_THREAD, KILL_AFTER = 5, 60, 120


@pytest.fixture()
def dns_zone() -> Iterator[DnsResponder]:
    d = DnsResponder()
    d.add("load.test", "TXT", "v=spf1 ip4:127.0.0.1 -all")
    yield d
    d.close()


def test_every_acknowledged_message_survives_kill_9(tmp_path: Path, dns_zone: DnsResponder) -> None:
    server = start_server(tmp_path / "srv", dns_zone)
    server.add_user("alice@example.test", "alice-secret-1")
    acked: list[str] = []
    lock = threading.Lock()
    enough = threading.Event()

    def sender(t: int) -> None:
        try:
            client = smtplib.SMTP("127.0.0.1", server.port("smtp"), local_hostname="c.load.test", timeout=30)
            for i in range(PER_THREAD):
                subject = f"crash-{t}-{i}"
                body = (f"From: x@load.test\r\nTo: alice@example.test\r\nSubject: {subject}\r\n\r\n"
                        + "line of text\r\n" * 50).encode()
                client.sendmail("x@load.test", ["alice@example.test"], body)
                with lock:  # recorded only after the 250
                    acked.append(subject)
                    if len(acked) >= KILL_AFTER:
                        enough.set()
        except (OSError, smtplib.SMTPException):
            return  # the server died under us: expected

    threads = [threading.Thread(target=sender, args=(t,), daemon=True) for t in range(THREADS)]
    for th in threads:
        th.start()
    assert enough.wait(120), f"only {len(acked)} messages acknowledged"
    server.kill()
    for th in threads:
        th.join(30)
    with lock:
        confirmed = list(acked)
    assert len(confirmed) >= KILL_AFTER
    server.start()
    try:
        subjects = Counter()
        for raw in mailbox_messages(server, "alice@example.test"):
            for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n"):
                if line.startswith(b"Subject: crash-"):
                    subjects[line[9:].decode()] += 1
        missing = [s for s in confirmed if subjects[s] == 0]
        doubled = [s for s, n in subjects.items() if n > 1]
        assert not missing, f"acknowledged but lost: {missing[:10]}"
        assert not doubled, f"stored twice: {doubled[:10]}"
    finally:
        assert server.stop() == 0
