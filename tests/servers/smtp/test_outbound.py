"""The queue runner against a loopback receiving MX (aiosmtpd in a thread, STARTTLS
offered) found through a loopback DNS zone, on a real SQLite store and StoreRunner.
Time is injected: the clock is moved ahead instead of waiting."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from postvak.config import load_settings
from postvak.servers.core.context import ServerContext
from postvak.servers.core.delivery import Delivery
from postvak.servers.core.logs import EventLogger
from postvak.servers.core.runner import StoreRunner
from postvak.servers.smtp.outbound import QueueRunner
from postvak.servers.smtp.outbound_client import dot_stuff
from postvak.store import accounts, mailboxes, messages, open_store, queue
from postvak.store.errors import NotFound
from tests.servers.smtp.dns_responder import DnsResponder

pytestmark = pytest.mark.timeout(60)

MSG = (b"From: Alice <alice@local.test>\r\nTo: bob@remote.test\r\nSubject: hello\r\n"
       b"Message-ID: <m1@local.test>\r\n\r\n.leading dot line\r\nbody\r\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tls_context(tmp: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mx.remote.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    (tmp / "mx.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "mx.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(tmp / "mx.pem", tmp / "mx.key")
    return ctx


class Recorder:
    """The receiving MX: records what arrives; `rules` gives a reply per recipient."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes, bool]] = []
        self.rules: dict[str, str] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.rules:
            return self.rules[address]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                              session.ssl is not None))
        return "250 2.0.0 queued as X1"


class Mx:
    def __init__(self, tmp: Path) -> None:
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port,
                                     tls_context=tls_context(tmp), require_starttls=False)
        self.controller.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.controller.stop()


class World:
    """A store with local.test/alice, a queue runner with a movable clock."""

    def __init__(self, tmp: Path, dns: DnsResponder, mx_port: int, **overrides: str) -> None:
        self.store = open_store(f"sqlite:///{tmp}/store.db", blob_backend="files", blob_dir=str(tmp / "blobs"))
        self.store.migrate()
        self.loop = asyncio.new_event_loop()
        self.runner = StoreRunner(self.store, self.loop)
        env = {
            "POSTVAK_SERVER__HOSTNAME": "mail.local.test",
            "POSTVAK_DNS__NAMESERVERS": '["127.0.0.1"]', "POSTVAK_DNS__PORT": str(dns.port),
            "POSTVAK_DNS__TIMEOUT": "2.0", "POSTVAK_OUTBOUND__PORT": str(mx_port),
            "POSTVAK_OUTBOUND__CONNECT_TIMEOUT": "3", "POSTVAK_OUTBOUND__COMMAND_TIMEOUT": "10",
            **overrides,
        }
        settings = load_settings(None, env=env)
        self.ctx = ServerContext(settings, self.store, self.runner, None, None, None, EventLogger(), self.loop,
                                 "mail.local.test")
        self.ctx.delivery = Delivery(self.ctx)
        self.store.write(accounts.add_domain, "local.test")
        self.alice = self.store.write(accounts.add_account, "alice@local.test", "x")
        self.offset = dt.timedelta()
        self.qr = QueueRunner(self.ctx, clock=self.now)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def enqueue(self, sender: str, rcpts: list[str], raw: bytes = MSG) -> int:
        return int(self.store.write(queue.enqueue, sender, rcpts, raw))

    def tick(self, seconds: float = 0) -> int:
        self.offset += dt.timedelta(seconds=seconds)
        return int(self.run(self.qr.run_once()))

    def queue(self) -> list[Any]:
        return list(self.store.read(queue.list_queue))

    def inbox(self) -> list[bytes]:
        box = self.store.read(mailboxes.get_mailbox, self.alice.id, "INBOX")
        out = []
        for meta in self.store.read(messages.snapshot, box.id).messages:
            with self.store.blobs.open(meta.blob_sha) as fh:
                out.append(fh.read())
        return out

    def close(self) -> None:
        self.runner.close()
        self.store.close()
        self.loop.close()


@pytest.fixture()
def dns() -> Iterator[DnsResponder]:
    zone = DnsResponder({
        ("remote.test", "MX"): ["10 mx.remote.test."],
        ("mx.remote.test", "A"): ["127.0.0.1"],
        ("backup.test", "MX"): ["5 dead.backup.test.", "20 mx.remote.test."],
        ("dead.backup.test", "A"): ["127.0.0.2"],
        ("implicit.test", "A"): ["127.0.0.1"],
        ("nullmx.test", "MX"): ["0 ."],
    })
    yield zone
    zone.close()


@pytest.fixture()
def mx(tmp_path: Path) -> Iterator[Mx]:
    server = Mx(tmp_path)
    yield server
    server.stop()


@pytest.fixture()
def world(tmp_path: Path, dns: DnsResponder, mx: Mx) -> Iterator[World]:
    w = World(tmp_path, dns, mx.port)
    yield w
    w.close()


def test_delivers_by_mx_over_starttls(world: World, mx: Mx) -> None:
    world.enqueue("alice@local.test", ["bob@remote.test", "carol@remote.test"])
    assert world.tick() == 1
    [(sender, rcpts, data, tls)] = mx.recorder.received
    assert sender == "alice@local.test"
    assert sorted(rcpts) == ["bob@remote.test", "carol@remote.test"]
    assert tls, "STARTTLS was offered and should have been used"
    assert b"\r\n.leading dot line\r\n" in data  # dot-stuffing undone by the receiver: bytes intact
    assert data.startswith(b"From: Alice")
    assert world.queue() == []


def test_next_mx_when_first_is_unreachable_and_implicit_mx(world: World, mx: Mx) -> None:
    world.enqueue("alice@local.test", ["x@backup.test", "y@implicit.test"])
    world.tick()
    assert sorted(r for _, rcpts, _, _ in mx.recorder.received for r in rcpts) == ["x@backup.test", "y@implicit.test"]
    assert world.queue() == []


def test_permanent_failure_per_recipient_sends_dsn_to_local_sender(world: World, mx: Mx) -> None:
    mx.recorder.rules["nobody@remote.test"] = "550 5.1.1 no such user"
    world.enqueue("alice@local.test", ["bob@remote.test", "nobody@remote.test"])
    world.tick()
    assert mx.recorder.received[0][1] == ["bob@remote.test"]
    assert world.queue() == []
    [dsn] = world.inbox()
    assert b"Return-Path: <>" in dsn
    assert b"report-type=delivery-status" in dsn
    assert b"Final-Recipient: rfc822; nobody@remote.test" in dsn
    assert b"Action: failed" in dsn and b"Status: 5.1.1" in dsn
    assert b"Remote-MTA: dns; mx.remote.test" in dsn
    assert b"Subject: hello" in dsn  # the original headers are returned
    assert b"bob@remote.test" not in dsn.split(b"message/delivery-status")[1].split(b"text/rfc822-headers")[0]


def test_temporary_failure_retries_with_backoff(world: World, mx: Mx) -> None:
    mx.recorder.rules["bob@remote.test"] = "451 4.3.0 try later"
    qid = world.enqueue("alice@local.test", ["bob@remote.test"])
    world.tick()
    item = world.store.read(queue.get, qid)
    assert item.attempts == 1 and item.recipients[0].status == "pending"
    assert "4.3.0" in item.recipients[0].detail and "try later" in (item.last_error or "")
    first_wait = (item.next_attempt - world.now()).total_seconds()
    assert 290 < first_wait <= 300  # retry_schedule[0]
    assert world.tick(100) == 0  # not due yet
    assert world.tick(210) == 1  # due after 300 s
    item = world.store.read(queue.get, qid)
    assert item.attempts == 2
    assert 890 < (item.next_attempt - world.now()).total_seconds() <= 900  # retry_schedule[1]: it backs off
    del mx.recorder.rules["bob@remote.test"]
    assert world.tick(900) == 1
    assert world.queue() == [] and len(mx.recorder.received) == 1
    assert world.inbox() == []  # no DSN for a success


def test_unreachable_mx_stays_queued(world: World, mx: Mx) -> None:
    mx.stop()
    qid = world.enqueue("alice@local.test", ["bob@remote.test"])
    world.tick()
    item = world.store.read(queue.get, qid)
    assert item.recipients[0].status == "pending" and item.recipients[0].detail.startswith("4.4.1")


def test_delay_warning_once_then_expiry_bounces(world: World, mx: Mx) -> None:
    mx.recorder.rules["bob@remote.test"] = "421 4.4.5 busy"
    qid = world.enqueue("alice@local.test", ["bob@remote.test"])
    world.tick()
    assert world.inbox() == []
    world.offset = dt.timedelta(hours=4, minutes=1)  # past outbound.delay_warning
    world.tick()
    [warning] = world.inbox()
    assert b"Action: delayed" in warning and b"Status: 4.4.5" in warning
    world.offset = dt.timedelta(hours=9)
    world.tick()
    assert len(world.inbox()) == 1, "the delay warning is sent once"
    world.offset = dt.timedelta(days=5, seconds=1)  # past outbound.queue_lifetime
    world.tick()
    with pytest.raises(NotFound):
        world.store.read(queue.get, qid)
    bounce = world.inbox()[1]
    assert b"Action: failed" in bounce and b"Status: 4.4.7" in bounce
    assert b"Undelivered Mail Returned to Sender" in bounce


def test_retry_never_goes_past_expiry(world: World, mx: Mx) -> None:
    mx.recorder.rules["bob@remote.test"] = "450 4.2.0 later"
    qid = world.enqueue("alice@local.test", ["bob@remote.test"])
    world.offset = dt.timedelta(days=5) - dt.timedelta(seconds=60)
    world.tick()
    item = world.store.read(queue.get, qid)
    assert item.next_attempt <= item.created + dt.timedelta(seconds=432000)


def test_never_bounce_a_bounce(world: World, mx: Mx) -> None:
    mx.recorder.rules["gone@remote.test"] = "550 5.1.1 gone"
    world.enqueue("", ["gone@remote.test"])
    world.tick()
    assert world.queue() == []  # failed and dropped
    assert world.inbox() == []
    assert world.tick() == 0  # and nothing new was queued


def test_dsn_to_remote_sender_is_queued_with_null_sender(world: World, mx: Mx) -> None:
    mx.recorder.rules["nobody@remote.test"] = "550 5.1.1 no such user"
    world.enqueue("someone@remote.test", ["nobody@remote.test"])
    world.tick()
    [dsn] = world.queue()
    assert dsn.sender == "" and [r.address for r in dsn.recipients] == ["someone@remote.test"]
    world.tick()
    sender, rcpts, data, _ = mx.recorder.received[-1]
    assert sender == "<>" and rcpts == ["someone@remote.test"] and b"Action: failed" in data  # aiosmtpd spells null "<>"


def test_null_mx_and_unknown_domain_fail_at_once(world: World) -> None:
    world.enqueue("alice@local.test", ["a@nullmx.test", "b@nowhere.test"])
    world.tick()
    assert world.queue() == []
    [dsn] = world.inbox()
    assert b"Status: 5.1.10" in dsn and b"Status: 5.1.2" in dsn


def test_local_recipient_in_queue_is_delivered_locally(world: World) -> None:
    world.enqueue("", ["alice@local.test", "ghost@local.test"])
    world.tick()
    assert world.inbox() == [b"Return-Path: <>\r\n" + MSG]
    assert world.queue() == []


def test_relayhost_takes_everything(tmp_path: Path, dns: DnsResponder, mx: Mx) -> None:
    w = World(tmp_path, dns, 1, POSTVAK_OUTBOUND__RELAYHOST=f"[127.0.0.1]:{mx.port}")
    try:
        w.enqueue("alice@local.test", ["x@not-in-dns.test", "y@remote.test"])
        w.tick()
        assert sorted(mx.recorder.received[0][1]) == ["x@not-in-dns.test", "y@remote.test"]
        assert w.queue() == []
    finally:
        w.close()


def test_dot_stuffing() -> None:
    assert dot_stuff(b".a\r\n..b\nc") == b"..a\r\n...b\r\nc\r\n.\r\n"
