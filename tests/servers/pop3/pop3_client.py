"""A typed POP3 test client that drives a real Pop3Session over a fake SessionIO,
with a real store, StoreRunner and AuthService on a real asyncio loop."""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from postvak.protocols.pop3 import unstuff
from postvak.servers.core.adapter import Peer
from postvak.servers.core.auth import AuthPolicy, AuthService, hash_password
from postvak.servers.core.context import ServerContext
from postvak.servers.core.logs import EventLogger
from postvak.servers.core.runner import StoreRunner
from postvak.servers.pop3.config import Pop3Config
from postvak.servers.pop3.session import Pop3Session
from postvak.store import accounts, mailboxes, messages, open_store

ALICE = ("alice@example.test", "alice-secret-1")
BOB = ("bob@example.test", "bob-secret-1")


def message(i: int, body: bytes = b"") -> bytes:
    return (b"From: sender@example.test\r\nTo: alice@example.test\r\nSubject: message %d\r\n"
            b"Message-ID: <m%d@example.test>\r\n\r\nbody line one of %d\r\n" % (i, i, i)) + body


class FakeIO:
    """SessionIO without sockets: records writes, closes like the adapter (later, once)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, tls: bool, host: str) -> None:
        self.loop = loop
        self.session: Any = None
        self.out = bytearray()
        self.is_tls = tls
        self.peer = Peer(host, 40000)
        self.closed = False
        self.paused = False
        self.tls_started = 0
        self.log = EventLogger().bind(session="test")
        self.session_id = "pop3-test"
        self.drains = 0

    @property
    def is_loopback(self) -> bool:
        return self.peer.is_loopback

    def write(self, data: bytes) -> None:
        if not self.closed:
            self.out += data

    async def drain(self) -> None:
        self.drains += 1
        await asyncio.sleep(0)

    def start_tls(self) -> None:
        self.is_tls = True
        self.tls_started += 1

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.loop.call_soon(self.session.connection_lost)

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False


@dataclass(frozen=True)
class Reply:
    ok: bool
    text: str
    code: str | None = None
    body: bytes | None = None  # unstuffed multi-line body
    raw: bytes = b""

    @property
    def lines(self) -> list[str]:
        assert self.body is not None
        return self.body.decode("utf-8").splitlines()


def parse_status(line: bytes) -> Reply:
    text = line.rstrip(b"\r\n").decode("utf-8")
    ok = text.startswith("+OK")
    assert ok or text.startswith("-ERR"), text
    rest = text[3 if ok else 4 :].lstrip(" ")
    code = None
    if rest.startswith("["):
        code, _, rest = rest[1:].partition("]")
        rest = rest.lstrip(" ")
    return Reply(ok, rest, code, raw=line)


class Client:
    def __init__(self, env: Env, *, tls: bool = True, host: str = "127.0.0.1", config: Pop3Config | None = None) -> None:
        self.env = env
        self.io = FakeIO(env.loop, tls=tls, host=host)
        self.session = Pop3Session(env.ctx, config or env.config)
        self.io.session = self.session
        self.pos = 0
        self.session.connection_made(self.io)
        self.greeting = self.read_status()

    # -- low level --------------------------------------------------------------------------
    def _until(self, predicate: Any, timeout: float = 10.0) -> Any:
        async def wait() -> Any:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                found = predicate()
                if found is not None:
                    return found
                await asyncio.sleep(0.001)
            raise AssertionError(f"no answer; output so far: {bytes(self.io.out[self.pos:])[:300]!r}")

        return self.env.loop.run_until_complete(wait())

    def read_status(self) -> Reply:
        def line() -> bytes | None:
            end = self.io.out.find(b"\r\n", self.pos)
            if end < 0:
                return None
            data = bytes(self.io.out[self.pos : end + 2])
            self.pos = end + 2
            return data

        return parse_status(self._until(line))

    def read_body(self) -> bytes:
        def body() -> bytes | None:
            if self.io.out[self.pos : self.pos + 3] == b".\r\n":
                self.pos += 3
                return b".\r\n"
            end = self.io.out.find(b"\r\n.\r\n", self.pos)
            if end < 0:
                return None
            data = bytes(self.io.out[self.pos : end + 5])
            self.pos = end + 5
            return data

        return unstuff(self._until(body))

    def feed(self, data: bytes) -> None:
        self.session.data_received(data)

    def send(self, line: str | bytes) -> Reply:
        self.feed((line.encode() if isinstance(line, str) else line) + b"\r\n")
        return self.read_status()

    def multi(self, line: str) -> Reply:
        reply = self.send(line)
        if not reply.ok:
            return reply
        return replace(reply, body=self.read_body())

    def settle(self, seconds: float = 0.05) -> None:
        self.env.loop.run_until_complete(asyncio.sleep(seconds))

    # -- typed commands ---------------------------------------------------------------------
    def login(self, user: str = ALICE[0], password: str = ALICE[1]) -> Reply:
        first = self.send(f"USER {user}")
        if not first.ok:
            return first
        return self.send(f"PASS {password}")

    def auth_plain(self, user: str = ALICE[0], password: str = ALICE[1], authzid: str = "") -> Reply:
        token = base64.b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()
        return self.send(f"AUTH PLAIN {token}")

    def stat(self) -> tuple[int, int]:
        reply = self.send("STAT")
        assert reply.ok, reply
        count, octets = reply.text.split()
        return int(count), int(octets)

    def list(self) -> dict[int, int]:
        reply = self.multi("LIST")
        assert reply.ok, reply
        return {int(n): int(size) for n, size in (line.split() for line in reply.lines)}

    def uidl(self) -> dict[int, str]:
        reply = self.multi("UIDL")
        assert reply.ok, reply
        return {int(n): uid for n, uid in (line.split() for line in reply.lines)}

    def retr(self, n: int) -> bytes:
        reply = self.multi(f"RETR {n}")
        assert reply.ok, reply
        assert reply.body is not None
        return reply.body

    def quit(self) -> Reply:
        reply = self.send("QUIT")
        self.settle()
        return reply

    def drop(self) -> None:
        """The client vanishes (no QUIT)."""
        self.io.closed = True
        self.session.connection_lost()
        self.settle()


@dataclass
class Env:
    store: Any
    loop: asyncio.AbstractEventLoop
    runner: StoreRunner
    ctx: ServerContext
    config: Pop3Config
    account_ids: dict[str, int] = field(default_factory=dict)

    clients: list[Client] = field(default_factory=list)

    def client(self, **kw: Any) -> Client:
        made = Client(self, **kw)
        self.clients.append(made)
        return made

    def deliver(self, raw: bytes, address: str = ALICE[0]) -> int:
        account_id = self.account_ids[address]
        inbox = self.store.read(mailboxes.get_mailbox, account_id, "INBOX")
        return int(self.store.write(messages.ingest, account_id, inbox.id, raw).uid)

    def mailbox(self, name: str, address: str = ALICE[0]) -> Any:
        return self.store.read(mailboxes.get_mailbox, self.account_ids[address], name)

    def bodies(self, name: str, address: str = ALICE[0]) -> list[bytes]:
        box = self.mailbox(name, address)
        snap = self.store.read(messages.snapshot, box.id)
        return [self.store.blobs.read(m.blob_sha) for m in snap.messages]


def make_env(tmp_path: Path, config: Pop3Config | None = None) -> Env:
    store = open_store(f"sqlite:///{tmp_path}/pop3.db", blob_backend="files", blob_dir=str(tmp_path / "blobs"))
    store.migrate()
    loop = asyncio.new_event_loop()
    runner = StoreRunner(store, loop)
    auth = AuthService(runner, AuthPolicy(failure_delay_base=0.01, failure_delay_max=0.05))
    ctx = ServerContext(settings=None, store=store, runner=runner, auth=auth, changes=None, tls=None,
                        log=EventLogger(), loop=loop, hostname="pop.example.test")
    env = Env(store, loop, runner, ctx, config or Pop3Config(hostname="pop.example.test", stls=True))
    store.write(accounts.add_domain, "example.test")
    for address, password in (ALICE, BOB):
        env.account_ids[address] = store.write(accounts.add_account, address, hash_password(password)).id
    return env


def close_env(env: Env) -> None:
    for client in env.clients:  # hang up whoever is still connected
        if not client.io.closed:
            client.io.closed = True
            client.session.connection_lost()
    # let sessions' cleanup tasks (lock release) finish
    env.loop.run_until_complete(asyncio.sleep(0.05))
    env.runner.close()
    env.loop.close()
    env.store.close()
