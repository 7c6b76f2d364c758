"""Shared pieces of the SMTP end-to-end tests: a server with a loopback DNS zone,
reading delivered mail back through the real store, a raw-socket client."""

from __future__ import annotations

import base64
import socket
import ssl
from pathlib import Path

from postvak.store import accounts, mailboxes, messages
from tests.servers.smtp.dns_responder import DnsResponder
from tests.support.server import RunningServer

SIZE_LIMIT = 1_048_576  # a smaller limit than 50 MB so tests can exceed it quickly


def start_server(base: Path, dns: DnsResponder, **extra_env: str) -> RunningServer:
    env = {
        "POSTVAK_DNS__NAMESERVERS": '["127.0.0.1"]',
        "POSTVAK_DNS__PORT": str(dns.port),
        "POSTVAK_DNS__TIMEOUT": "2.0",
        "POSTVAK_LIMITS__MESSAGE_SIZE": str(SIZE_LIMIT),
        **extra_env,
    }
    return RunningServer(base, env=env)


def mailbox_messages(server: RunningServer, address: str, special: str | None = None) -> list[bytes]:
    store = server.open_store()
    try:
        acct = store.read(accounts.get_account, address)
        box = (store.read(mailboxes.get_special, acct.id, special) if special
               else store.read(mailboxes.get_mailbox, acct.id, "INBOX"))
        metas = store.read(messages.snapshot, box.id).messages
        out = []
        for meta in metas:
            with store.blobs.open(meta.blob_sha) as fh:
                out.append(fh.read())
        return out
    finally:
        store.close()


class RawClient:
    """Line-level SMTP over a socket, for what smtplib will not send."""

    def __init__(self, port: int, tls_ctx: ssl.SSLContext | None = None) -> None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.sock = tls_ctx.wrap_socket(sock) if tls_ctx else sock
        self.buf = b""
        self.greeting = self.reply()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def reply(self) -> tuple[int, str]:
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed: " + repr(lines))
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line.decode())
            if line[3:4] != b"-":
                return int(line[:3]), "\n".join(item[4:] for item in lines)

    def cmd(self, line: str) -> tuple[int, str]:
        self.send(line.encode() + b"\r\n")
        return self.reply()

    def starttls(self, ctx: ssl.SSLContext) -> None:
        code, _ = self.cmd("STARTTLS")
        assert code == 220
        self.sock = ctx.wrap_socket(self.sock)

    def auth_plain(self, user: str, password: str) -> tuple[int, str]:
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        return self.cmd(f"AUTH PLAIN {token}")

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
