"""A real store and StoreRunner behind ActiveSync's request mapping, for tests that
drive one command at a time: requests are built by hand with our WBXML encoder and
go through ActiveSync._post (policy, decode, handler, error mapping), skipping only
HTTP Basic auth."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from postvak.protocols.activesync import decode, encode
from postvak.protocols.activesync.element import Element
from postvak.servers.activesync.server import ActiveSync
from postvak.servers.core.context import HttpRequest, HttpResponse, ServerContext
from postvak.servers.core.delivery import Delivery
from postvak.servers.core.logs import EventLogger
from postvak.servers.core.runner import StoreRunner
from postvak.store import accounts, mailboxes, messages, open_store, queue

WBXML = "application/vnd.ms-sync.wbxml"
USER = "u@example.test"


def note(i: int, subject: str | None = None, sender: str = "bob@remote.test") -> bytes:
    return (f"From: {sender}\r\nTo: {USER}\r\nSubject: {subject or f'note {i}'}\r\n"
            f"Message-ID: <n{i}.{subject and len(subject)}@remote.test>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
            f"\r\nbody of note {i}\r\n").encode()


class EasEnv:
    def __init__(self, tmp: Path) -> None:
        self.store = open_store(f"sqlite:///{tmp}/s.db", blob_dir=str(tmp / "blobs"))
        self.store.migrate()
        self.store.write(accounts.add_domain, "example.test")
        self.account = self.store.write(accounts.add_account, USER, "x")
        self.other = self.store.write(accounts.add_account, "v@example.test", "x")
        self.loop = asyncio.new_event_loop()
        self.runner = StoreRunner(self.store, self.loop)
        settings = SimpleNamespace(activesync=SimpleNamespace(require_provisioning=False, heartbeat_min=60,
                                                              heartbeat_max=3540),
                                   auth=SimpleNamespace(plaintext_on_loopback=True))
        self.ctx = ServerContext(settings=settings, store=self.store, runner=self.runner, auth=None, changes=None,
                                 tls=None, log=EventLogger(), loop=self.loop, hostname="mx.example.test")
        self.ctx.delivery = Delivery(self.ctx)
        self.app = ActiveSync(self.ctx)

    # --- requests ---------------------------------------------------------------------
    def http(self, cmd: str, body: bytes = b"", version: str = "14.1", device: str = "dev1",
             content_type: str = WBXML, account: Any = None, **params: str) -> HttpResponse:
        query = "&".join(f"{k}={v}" for k, v in {"Cmd": cmd, "User": USER, "DeviceId": device,
                                                  "DeviceType": "Test", **params}.items())
        req = HttpRequest("POST", "/Microsoft-Server-ActiveSync", query.encode(),
                          {"ms-asprotocolversion": version, "content-type": content_type}, body, "127.0.0.1", True)
        return self.loop.run_until_complete(self.app._post(req, account or self.account))

    def cmd(self, cmd: str, tree: Element | None, **kw: Any) -> Element | None:
        resp = self.http(cmd, encode(tree) if tree is not None else b"", **kw)
        assert resp.status == 200, resp
        assert ("Content-Type", WBXML) in resp.headers
        return decode(resp.body) if resp.body else None

    # --- store ------------------------------------------------------------------------
    def box(self, name: str = "INBOX", special: str | None = None) -> Any:
        if special:
            return self.store.read(mailboxes.get_special, self.account.id, special)
        return self.store.read(mailboxes.get_mailbox, self.account.id, name)

    def fill(self, n: int, name: str = "INBOX") -> Any:
        box = self.box(name)
        self.store.write_batch([(messages.ingest, (self.account.id, box.id, note(i)), {}) for i in range(n)])
        return box

    def uids(self, box: Any) -> list[int]:
        return [m.uid for m in self.store.read(messages.snapshot, box.id).messages]

    def raws(self, box: Any) -> list[bytes]:
        snap = self.store.read(messages.snapshot, box.id)
        return [self.store.blobs.open(m.blob_sha).read() for m in snap.messages]

    def queued(self) -> list[Any]:
        return self.store.read(queue.list_queue)

    def close(self) -> None:
        self.runner.close()
        self.loop.close()
        self.store.close()
