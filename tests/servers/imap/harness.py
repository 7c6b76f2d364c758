"""A small typed IMAP test client driving ImapSession objects directly: a fake SessionIO,
a REAL store (temp SQLite), a real StoreRunner, AuthService and ChangeBridge on one loop."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from postvak.config.loader import load_settings
from postvak.servers.core.adapter import Peer
from postvak.servers.core.auth import AuthPolicy, AuthService, hash_password
from postvak.servers.core.bus import ChangeBridge
from postvak.servers.core.context import ServerContext
from postvak.servers.core.logs import EventLogger
from postvak.servers.core.runner import StoreRunner
from postvak.servers.imap.server import limits_from
from postvak.servers.imap.session import ImapSession
from postvak.store import accounts, mailboxes, messages, open_store

PASSWORD = "alice-secret-1"
_LITERAL = re.compile(rb"\{(\d+)\+?\}\Z")


def message(subject: str = "hello", body: str = "body text", sender: str = "bob@example.test",
            msgid: str | None = None, extra: str = "") -> bytes:
    mid = msgid or f"<{subject.replace(' ', '.')}@example.test>"
    return (
        f"From: Bob <{sender}>\r\nTo: alice@example.test\r\nSubject: {subject}\r\n"
        f"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: {mid}\r\n{extra}\r\n{body}\r\n"
    ).encode()


class FakeIO:
    def __init__(self, *, tls: bool = False, loopback: bool = True) -> None:
        self.out = bytearray()
        self.is_tls = tls
        self.is_loopback = loopback
        self.peer = Peer("127.0.0.1" if loopback else "192.0.2.7", 40000)
        self.log = EventLogger().bind(session="test")
        self.closed = False
        self.tls_started = False

    def write(self, data: bytes) -> None:
        if not self.closed:
            self.out += data

    def hold(self) -> None:
        """Nothing to hold: writes land in `out` at once (SessionIO holds them until push())."""

    def push(self) -> None:
        """Nothing held, nothing to send."""

    async def drain(self) -> None:
        await asyncio.sleep(0)

    def start_tls(self) -> None:
        self.is_tls = True
        self.tls_started = True

    def close(self) -> None:
        self.closed = True


def split_lines(data: bytes) -> list[bytes]:
    """Response lines with their literals kept inline (CRLF removed at line ends)."""
    out: list[bytes] = []
    pos = 0
    current = b""
    while pos < len(data):
        nl = data.find(b"\r\n", pos)
        if nl < 0:
            break
        current += data[pos:nl]
        pos = nl + 2
        m = _LITERAL.search(current)
        if m:
            n = int(m.group(1))
            current += b"\r\n" + data[pos : pos + n]
            pos += n
            continue
        out.append(current)
        current = b""
    return out


@dataclass
class Reply:
    status: str
    text: str
    untagged: list[bytes] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "OK"

    def find(self, needle: str | bytes) -> list[bytes]:
        n = needle.encode() if isinstance(needle, str) else needle
        return [line for line in self.untagged if n in line]


class Client:
    _tags = itertools.count(1)

    def __init__(self, env: Env, *, tls: bool = False, loopback: bool = True, starttls: bool = True) -> None:
        self.env = env
        after, before = limits_from(env.ctx.settings)
        self.session = ImapSession(env.ctx, starttls=starttls, limits=after, preauth_limits=before)
        self.io = FakeIO(tls=tls, loopback=loopback)
        self.session.connection_made(self.io)
        self.seen = 0

    # --- raw --------------------------------------------------------------------------
    def send(self, data: bytes | str) -> None:
        self.session.data_received(data.encode() if isinstance(data, str) else data)

    def take(self) -> bytes:
        data = bytes(self.io.out[self.seen :])
        self.seen = len(self.io.out)
        return data

    def wait_for(self, needle: bytes, timeout: float = 5.0) -> bytes:
        async def poll() -> bytes:
            deadline = asyncio.get_running_loop().time() + timeout
            while needle not in self.io.out[self.seen :]:
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"timed out waiting for {needle!r}; got {bytes(self.io.out[self.seen:])!r}")
                await asyncio.sleep(0.002)
            return self.take()

        return self.env.run(poll())

    def settle(self, seconds: float = 0.05) -> bytes:
        self.env.run(asyncio.sleep(seconds))
        return self.take()

    # --- commands ---------------------------------------------------------------------
    def cmd(self, line: str | bytes, timeout: float = 10.0) -> Reply:
        tag = f"t{next(self._tags)}"
        raw = line.encode() if isinstance(line, str) else line
        self.send(tag.encode() + b" " + raw + b"\r\n")
        return self.reply(tag, timeout)

    def reply(self, tag: str, timeout: float = 10.0) -> Reply:
        marker = tag.encode() + b" "

        async def poll() -> bytes:
            deadline = asyncio.get_running_loop().time() + timeout
            while True:
                for line in split_lines(bytes(self.io.out[self.seen :])):
                    if line.startswith(marker):
                        return self.take()
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"no reply to {tag}; got {bytes(self.io.out[self.seen:])!r}")
                await asyncio.sleep(0.002)

        data = self.env.run(poll())
        lines = split_lines(data)
        for i, line in enumerate(lines):
            if line.startswith(marker):
                status, _, text = line[len(marker) :].decode("utf-8", "replace").partition(" ")
                return Reply(status, text, lines[:i])
        raise AssertionError(f"no tagged reply in {data!r}")

    def login(self, user: str = "alice@example.test", password: str = PASSWORD) -> Reply:
        reply = self.cmd(f'LOGIN {user} "{password}"')
        assert reply.ok, reply
        return reply

    def select(self, mailbox: str = "INBOX") -> Reply:
        reply = self.cmd(f"SELECT {mailbox}")
        assert reply.ok, reply
        return reply

    def close(self) -> None:
        self.session.connection_lost()


class Env:
    def __init__(self, tmp: Path) -> None:
        self.store = open_store(f"sqlite:///{tmp}/s.db", blob_backend="files", blob_dir=str(tmp / "blobs"))
        self.store.migrate()
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.runner = StoreRunner(self.store, self.loop)
        settings = load_settings(None, env={})
        self.ctx = ServerContext(
            settings=settings, store=self.store, runner=self.runner,
            auth=AuthService(self.runner, AuthPolicy(failure_delay_base=0.0, failure_delay_max=0.0)),
            changes=ChangeBridge(self.store.changes, self.loop), tls=None, log=EventLogger(), loop=self.loop,
            hostname="mail.example.test",
        )
        self.store.write(accounts.add_domain, "example.test")
        self.account = self.store.write(accounts.add_account, "alice@example.test", hash_password(PASSWORD))
        self.clients: list[Client] = []

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def client(self, login: bool = True, **kw: Any) -> Client:
        c = Client(self, **kw)
        c.take()
        self.clients.append(c)
        if login:
            c.login()
        return c

    def mailbox(self, name: str = "INBOX") -> Any:
        return self.store.read(mailboxes.get_mailbox, self.account.id, name)

    def deliver(self, raw: bytes, mailbox: str = "INBOX", flags: frozenset[str] = frozenset()) -> int:
        mb = self.mailbox(mailbox)
        stored = self.run(self.runner.write(messages.ingest, self.account.id, mb.id, raw, flags=flags))
        return int(stored.uid)

    def close(self) -> None:
        for c in self.clients:
            c.close()
        self.run(asyncio.sleep(0.01))
        self.runner.close()
        self.loop.close()
        self.store.close()


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[Env]:
    e = Env(tmp_path)
    try:
        yield e
    finally:
        e.close()
