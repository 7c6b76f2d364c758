"""A small ManageSieve test client driving SieveSession objects directly: a fake
SessionIO, a REAL store (temp SQLite), a real StoreRunner and AuthService on one loop."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from postvak.config.loader import load_settings
from postvak.servers.core.adapter import Peer
from postvak.servers.core.auth import AuthPolicy, AuthService, hash_password
from postvak.servers.core.context import ServerContext
from postvak.servers.core.logs import EventLogger
from postvak.servers.core.runner import StoreRunner
from postvak.servers.managesieve.config import SieveConfig
from postvak.servers.managesieve.session import SieveSession
from postvak.store import accounts, open_store

USER, PASSWORD = "alice@example.test", "alice-secret-1"
_LITERAL = re.compile(rb"\{(\d+)\+?\}\Z")
STATUS = (b"OK", b"NO", b"BYE")


class RecordingLog:
    """The session's logger: keeps (level, event) so tests can see unexpected errors."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def bind(self, **_: Any) -> RecordingLog:
        return self

    def _add(self, level: str, event: str) -> None:
        self.events.append((level, event))

    def debug(self, event: str, **_: Any) -> None:
        self._add("debug", event)

    def info(self, event: str, **_: Any) -> None:
        self._add("info", event)

    def warning(self, event: str, **_: Any) -> None:
        self._add("warning", event)

    def error(self, event: str, **_: Any) -> None:
        self._add("error", event)


class FakeIO:
    def __init__(self, *, tls: bool = False, loopback: bool = True) -> None:
        self.out = bytearray()
        self.is_tls = tls
        self.is_loopback = loopback
        self.peer = Peer("127.0.0.1" if loopback else "192.0.2.7", 40000)
        self.log = RecordingLog()
        self.closed = False
        self.tls_started = False

    def write(self, data: bytes) -> None:
        if not self.closed:
            self.out += data

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
    pos, current = 0, b""
    while pos < len(data):
        nl = data.find(b"\r\n", pos)
        if nl < 0:
            break
        current += data[pos:nl]
        pos = nl + 2
        m = _LITERAL.search(current)
        if m:
            n = int(m.group(1))
            current += b"\r\n" + data[pos:pos + n]
            pos += n
            continue
        out.append(current)
        current = b""
    return out


def is_status(line: bytes) -> bool:
    return any(line == w or line.startswith(w + b" ") for w in STATUS)


@dataclass
class Reply:
    status: str
    text: str
    lines: list[bytes] = field(default_factory=list)  # data lines before the status

    @property
    def ok(self) -> bool:
        return self.status == "OK"

    def has(self, code: str) -> bool:
        return self.text.startswith(f"({code}")


class Client:
    def __init__(self, env: Env, *, tls: bool = False, loopback: bool = True,
                 config: SieveConfig | None = None) -> None:
        self.env = env
        self.session = SieveSession(env.ctx, config or env.config)
        self.io = FakeIO(tls=tls, loopback=loopback)
        self.seen = 0
        self.session.connection_made(self.io)
        self.greeting = self.read()

    def send(self, data: bytes | str) -> None:
        self.session.data_received(data.encode() if isinstance(data, str) else data)

    def read(self, timeout: float = 10.0) -> Reply:
        """The next complete response (data lines, then OK/NO/BYE)."""
        async def poll() -> Reply:
            deadline = asyncio.get_running_loop().time() + timeout
            while True:
                lines = split_lines(bytes(self.io.out[self.seen:]))
                for i, line in enumerate(lines):
                    if is_status(line):
                        consumed = sum(len(x) + 2 for x in lines[:i + 1])
                        self.seen += consumed
                        word, _, text = line.decode("utf-8", "replace").partition(" ")
                        return Reply(word, text, lines[:i])
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"no response; got {bytes(self.io.out[self.seen:])!r}")
                await asyncio.sleep(0.002)

        return self.env.run(poll())

    def cmd(self, line: str | bytes) -> Reply:
        self.send((line.encode() if isinstance(line, str) else line) + b"\r\n")
        return self.read()

    def login(self, user: str = USER, password: str = PASSWORD) -> Reply:
        reply = self.cmd(f'AUTHENTICATE "PLAIN" "{plain(user, password)}"')
        assert reply.ok, reply
        return reply

    def put(self, name: str, script: str | bytes) -> Reply:
        data = script.encode() if isinstance(script, str) else script
        return self.cmd(b'PUTSCRIPT "%s" {%d+}\r\n' % (name.encode(), len(data)) + data)

    def check(self, script: str | bytes) -> Reply:
        data = script.encode() if isinstance(script, str) else script
        return self.cmd(b"CHECKSCRIPT {%d+}\r\n" % len(data) + data)

    def scripts(self) -> list[tuple[str, bool]]:
        reply = self.cmd("LISTSCRIPTS")
        assert reply.ok, reply
        out = []
        for line in reply.lines:
            name, _, rest = line.rpartition(b'"')
            out.append((name[1:].decode(), rest.strip() == b"ACTIVE"))
        return out

    def idle(self, timeout: float = 10.0) -> None:
        """Wait until the session has handled everything it was sent."""
        s = self.session

        async def poll() -> None:
            deadline = asyncio.get_running_loop().time() + timeout
            while not (s._closed or s._task is None or s._task.done() or (not s._inbox and not s._wake.is_set())):
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError("session did not settle")
                await asyncio.sleep(0.002)
            await asyncio.sleep(0)

        self.env.run(poll())

    def close(self) -> None:
        self.session.connection_lost()


def plain(user: str, password: str, authzid: str = "") -> str:
    return base64.b64encode(f"{authzid}\0{user}\0{password}".encode()).decode()


class Env:
    def __init__(self, tmp: Path, **settings_env: str) -> None:
        self.store = open_store(f"sqlite:///{tmp}/s.db", blob_backend="files", blob_dir=str(tmp / "blobs"))
        self.store.migrate()
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.runner = StoreRunner(self.store, self.loop)
        self.settings = load_settings(None, env={f"POSTVAK_{k.upper()}": v for k, v in settings_env.items()})
        self.ctx = ServerContext(
            settings=self.settings, store=self.store, runner=self.runner,
            auth=AuthService(self.runner, AuthPolicy(failure_delay_base=0.0, failure_delay_max=0.0)),
            changes=None, tls=None, log=EventLogger(), loop=self.loop, hostname="mail.example.test",
        )

        class Conf:
            tls = "starttls"

        self.config = SieveConfig.from_settings(self.settings, Conf(), "mail.example.test")
        self.store.write(accounts.add_domain, "example.test")
        self.account = self.store.write(accounts.add_account, USER, hash_password(PASSWORD))
        self.clients: list[Client] = []

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def client(self, login: bool = True, **kw: Any) -> Client:
        c = Client(self, **kw)
        self.clients.append(c)
        if login:
            c.login()
        return c

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
