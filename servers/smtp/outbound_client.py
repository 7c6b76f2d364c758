"""A small asyncio SMTP client for the queue runner: one transaction per connection,
with a result per recipient.

Why our own client and not smtplib in `runner.offload`: the offload pool is the
store's reader pool, and a slow remote MX (RFC 5321 4.5.3.2 allows minutes per
command) would hold those threads and stall every IMAP read. On the loop a waiting
delivery costs nothing, each command gets its own bounded timeout, and STARTTLS is
`StreamWriter.start_tls` (Python 3.11).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field

# RFC 5321 4.5.3.2: the standard asks for minutes; ours are settings, bounded for tests.
DEFAULT_TIMEOUT = 300.0
MAX_REPLY_LINES = 100  # a reply longer than this is a broken or hostile server


class SmtpClientError(Exception):
    """The conversation failed; `temporary` says whether trying later may help."""

    def __init__(self, message: str, *, temporary: bool = True, code: int = 0) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.code = code


@dataclass(frozen=True)
class ServerReply:
    code: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    def __str__(self) -> str:
        return f"{self.code} {self.text}".strip()

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 400

    @property
    def permanent(self) -> bool:
        return self.code >= 500


@dataclass(frozen=True)
class TransactionResult:
    """The outcome per recipient: the server's reply to RCPT, or to DATA when RCPT was accepted."""

    replies: dict[str, ServerReply]
    tls: bool
    host: str
    extensions: frozenset[str] = field(default_factory=frozenset)


def dot_stuff(raw: bytes) -> bytes:
    """RFC 5321 4.5.2: double a leading dot on every line; end with CRLF.CRLF."""
    data = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    if data.startswith(b"."):
        data = b"." + data
    data = data.replace(b"\r\n.", b"\r\n..")
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def opportunistic_tls_context() -> ssl.SSLContext:
    """RFC 7435 / RFC 3207: STARTTLS to an MX protects against passive listeners only,
    without certificate checks (most MX certificates would not verify; MTA-STS/DANE are
    what make it strict)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class SmtpClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str,
                 timeout: float) -> None:
        self.reader = reader
        self.writer = writer
        self.host = host
        self.timeout = timeout
        self.extensions: dict[str, str] = {}
        self.tls = False

    @classmethod
    async def connect(cls, host: str, port: int, *, connect_timeout: float = 30.0,
                      timeout: float = DEFAULT_TIMEOUT) -> SmtpClient:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), connect_timeout)
        except (TimeoutError, OSError) as exc:
            raise SmtpClientError(f"cannot connect to {host}:{port}: {exc or 'timeout'}") from exc
        client = cls(reader, writer, host, timeout)
        greeting = await client.read_reply()
        if greeting.code != 220:  # RFC 5321 3.1: 554 means "no service here"
            client.close()
            raise SmtpClientError(f"{host} greeted {greeting}", temporary=not greeting.permanent, code=greeting.code)
        return client

    async def read_reply(self) -> ServerReply:
        """RFC 5321 4.2.1: "ddd-text" continues, "ddd text" ends the reply."""
        lines: list[str] = []
        code = 0
        while True:
            try:
                line = await asyncio.wait_for(self.reader.readline(), self.timeout)
            except (TimeoutError, OSError) as exc:
                raise SmtpClientError(f"{self.host}: no reply ({exc or 'timeout'})") from exc
            if not line:
                raise SmtpClientError(f"{self.host} closed the connection")
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            if len(text) < 3 or not text[:3].isdigit():
                raise SmtpClientError(f"{self.host}: malformed reply {text[:80]!r}")
            code = int(text[:3])
            lines.append(text[4:])
            if len(text) == 3 or text[3] != "-":
                return ServerReply(code, tuple(lines))
            if len(lines) > MAX_REPLY_LINES:
                raise SmtpClientError(f"{self.host}: endless reply")

    async def command(self, line: str) -> ServerReply:
        self.writer.write(line.encode("utf-8") + b"\r\n")
        await self._drain()
        return await self.read_reply()

    async def _drain(self) -> None:
        try:
            await asyncio.wait_for(self.writer.drain(), self.timeout)
        except (TimeoutError, OSError) as exc:
            raise SmtpClientError(f"{self.host}: write failed ({exc or 'timeout'})") from exc

    async def hello(self, name: str) -> None:
        reply = await self.command(f"EHLO {name}")
        if reply.code == 250:
            # RFC 5321 4.1.1.1: first line is the greeting, the rest are extensions.
            self.extensions = {}
            for ext in reply.lines[1:]:
                keyword, _, params = ext.partition(" ")
                self.extensions[keyword.upper()] = params
            return
        reply = await self.command(f"HELO {name}")  # an RFC 821 server
        if reply.code != 250:
            raise SmtpClientError(f"{self.host}: HELO refused: {reply}", temporary=not reply.permanent)
        self.extensions = {}

    async def starttls(self, name: str, context: ssl.SSLContext) -> bool:
        """Upgrade when offered (RFC 3207); False when the server does not offer it."""
        if "STARTTLS" not in self.extensions:
            return False
        reply = await self.command("STARTTLS")
        if reply.code != 220:
            return False
        try:
            await asyncio.wait_for(self.writer.start_tls(context, server_hostname=self.host or None), self.timeout)
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            raise SmtpClientError(f"{self.host}: TLS handshake failed: {exc}", code=-1) from exc
        self.tls = True
        await self.hello(name)  # RFC 3207 4.2: forget what was learnt before TLS
        return True

    async def send(self, sender: str, recipients: Sequence[str], raw: bytes) -> dict[str, ServerReply]:
        """One transaction. The result maps each recipient to its final reply."""
        params = []
        if "SIZE" in self.extensions:
            params.append(f"SIZE={len(raw)}")  # RFC 1870
        if any(b > 0x7F for b in raw) and "8BITMIME" in self.extensions:
            params.append("BODY=8BITMIME")  # RFC 6152
        if _needs_utf8(sender, recipients):
            if "SMTPUTF8" not in self.extensions:  # RFC 6531 3.2: cannot downgrade addresses
                reply = ServerReply(553, ("5.6.7 server does not support SMTPUTF8",))
                return dict.fromkeys(recipients, reply)
            params.append("SMTPUTF8")
        reply = await self.command(" ".join([f"MAIL FROM:<{sender}>", *params]))
        if reply.code != 250:
            return dict.fromkeys(recipients, reply)
        results: dict[str, ServerReply] = {}
        accepted = []
        for rcpt in recipients:
            reply = await self.command(f"RCPT TO:<{rcpt}>")
            results[rcpt] = reply
            if reply.code in (250, 251):
                accepted.append(rcpt)
        if not accepted:
            await self.command("RSET")
            return results
        reply = await self.command("DATA")
        if reply.code != 354:
            return {**results, **dict.fromkeys(accepted, reply)}
        self.writer.write(dot_stuff(raw))
        await self._drain()
        final = await self.read_reply()
        return {**results, **dict.fromkeys(accepted, final)}

    async def quit(self) -> None:
        try:
            await asyncio.wait_for(self.command("QUIT"), 10)
        except Exception:  # noqa: BLE001 - the message is already delivered or not; QUIT is politeness
            pass
        self.close()

    def close(self) -> None:
        try:
            self.writer.close()
        except Exception:  # noqa: BLE001
            pass


def _needs_utf8(sender: str, recipients: Sequence[str]) -> bool:
    return any(ord(c) > 0x7F for c in sender) or any(ord(c) > 0x7F for r in recipients for c in r)


async def deliver(host: str, port: int, sender: str, recipients: Sequence[str], raw: bytes, *, helo: str,
                  tls_context: ssl.SSLContext | None = None, connect_timeout: float = 30.0,
                  timeout: float = DEFAULT_TIMEOUT) -> TransactionResult:
    """Connect, EHLO, STARTTLS when offered (falling back to plain text when the
    handshake itself fails, as opportunistic TLS allows), send, QUIT."""
    context = tls_context or opportunistic_tls_context()
    client = await SmtpClient.connect(host, port, connect_timeout=connect_timeout, timeout=timeout)
    try:
        await client.hello(helo)
        try:
            await client.starttls(helo, context)
        except SmtpClientError as exc:
            if exc.code != -1:
                raise
            client.close()  # the TLS session is broken: one more try in clear text
            client = await SmtpClient.connect(host, port, connect_timeout=connect_timeout, timeout=timeout)
            await client.hello(helo)
        replies = await client.send(sender, recipients, raw)
        exts = frozenset(client.extensions)
        await client.quit()
        return TransactionResult(replies, client.tls, host, exts)
    finally:
        client.close()
