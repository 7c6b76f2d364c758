"""The outbound queue runner: takes due queue entries (store/queue.py), delivers each
recipient by MX, through the relayhost, to a local mailbox or to the SMS/FAX gateway,
records a status per recipient, retries on the `outbound.retry_schedule` backoff until
`outbound.queue_lifetime`, and tells the sender (RFC 3464 DSN) on permanent failure,
on expiry and once when delivery is late (`outbound.delay_warning`). A message from
the null sender never causes a DSN (RFC 5321 4.5.5).

Time comes from an injectable clock so tests can age a message by days.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from postvak.servers.smtp import outbound_client as client
from postvak.servers.smtp import outbound_dsn
from postvak.servers.smtp.gateways import Gateways, route
from postvak.servers.smtp.outbound_mx import Hop, RouteError, mx_hops, parse_relayhost
from postvak.servers.smtp.resolver import Dns
from postvak.store import accounts, queue
from postvak.store.types import QueueItem

SENT, FAILED, PENDING = queue.SENT, queue.FAILED, queue.PENDING
_ENHANCED = re.compile(r"^([245]\.\d{1,3}\.\d{1,3})\b")


@dataclass(frozen=True)
class Outcome:
    status: str  # SENT, FAILED or PENDING
    detail: str  # reply or error text, starting with the enhanced status code
    remote_mta: str | None = None

    @property
    def dsn_status(self) -> str:
        m = _ENHANCED.match(self.detail)
        if m:
            return m.group(1)
        return {SENT: "2.0.0", FAILED: "5.0.0"}.get(self.status, "4.0.0")


@dataclass(frozen=True)
class OutboundConfig:
    relayhost: str = ""
    port: int = 25
    queue_lifetime: float = 432000.0
    retry_schedule: tuple[float, ...] = (300, 900, 1800, 3600, 7200, 14400)
    delay_warning: float = 14400.0
    interval: float = 15.0
    connect_timeout: float = 30.0
    command_timeout: float = 300.0
    concurrency: int = 8
    helo: str = "localhost"

    @classmethod
    def from_settings(cls, settings: Any) -> OutboundConfig:
        o = settings.outbound
        return cls(
            relayhost=str(o.relayhost), port=int(o.port), queue_lifetime=float(o.queue_lifetime),
            retry_schedule=tuple(float(x) for x in o.retry_schedule) or (300.0,),
            delay_warning=float(o.delay_warning), interval=float(o.interval),
            connect_timeout=float(o.connect_timeout), command_timeout=float(o.command_timeout),
            concurrency=max(1, int(o.concurrency)), helo=str(settings.server.hostname),
        )

    def retry_delay(self, attempts: int) -> float:
        """attempts made so far -> seconds to the next; the last value repeats."""
        return self.retry_schedule[min(attempts, len(self.retry_schedule) - 1)]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _reply_outcome(reply: client.ServerReply, host: str) -> Outcome:
    text = str(reply)[:500]
    detail = text[4:] if _ENHANCED.match(text[4:]) else f"{reply.code // 100}.0.0 {text}"
    if reply.code < 400:
        return Outcome(SENT, detail, host)
    return Outcome(FAILED if reply.permanent else PENDING, detail, host)


class QueueRunner:
    def __init__(self, ctx: Any, *, config: OutboundConfig | None = None, clock: Callable[[], datetime] = _utcnow,
                 dns: Dns | None = None, gateways: Gateways | None = None) -> None:
        self.ctx = ctx
        self.config = config or OutboundConfig.from_settings(ctx.settings)
        self.clock = clock
        self.dns = dns or Dns.from_settings(ctx.settings)
        self.gateways = gateways or Gateways.from_settings(ctx.settings)
        self.log = ctx.log
        self._wake = asyncio.Event()

    # -- the loop ---------------------------------------------------------------------
    def kick(self) -> None:
        """Something was queued: look now rather than at the next tick (reactor thread)."""
        self._wake.set()

    async def run_forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the runner must survive a bad entry or a store hiccup
                self.log.error("outbound.run_failed", error=repr(exc), exc_info=True)
            try:
                await asyncio.wait_for(self._wake.wait(), self.config.interval)
            except TimeoutError:
                pass
            self._wake.clear()

    async def run_once(self) -> int:
        """Attempt every due entry once; returns how many were attempted."""
        lease = int(self.config.connect_timeout * 2 + self.config.command_timeout * 6 + 60)
        items = await self.ctx.runner.write(queue.due, self.clock(), 50, lease)
        if not items:
            return 0
        gate = asyncio.Semaphore(self.config.concurrency)

        async def one(item: QueueItem) -> None:
            async with gate:
                try:
                    await self.attempt(item)
                except Exception as exc:  # leave it leased; it comes back when the lease ends
                    self.log.error("outbound.attempt_failed", queue_id=item.id, error=repr(exc), exc_info=True)

        await asyncio.gather(*(one(i) for i in items))
        return len(items)

    # -- one entry --------------------------------------------------------------------
    async def attempt(self, item: QueueItem) -> None:
        raw = await self.ctx.runner.offload(self._read_blob, item.blob_sha)
        pending = [r.address for r in item.recipients if r.status == PENDING]
        outcomes = await self.deliver(item.sender, pending, raw)
        now = self.clock()
        expires = item.created + timedelta(seconds=self.config.queue_lifetime)
        if now >= expires:  # RFC 3463 4.4.7: delivery time expired
            outcomes = {
                a: Outcome(FAILED, f"4.4.7 gave up after {self.config.queue_lifetime / 86400:g} days: "
                           f"{o.detail}", o.remote_mta) if o.status == PENDING else o
                for a, o in outcomes.items()
            }
        failed = {a: o for a, o in outcomes.items() if o.status == FAILED}
        waiting = {a: o for a, o in outcomes.items() if o.status == PENDING}
        if failed:
            await outbound_dsn.notify(self, item, raw, failed, "failed")
        if waiting and self._warn_due(item, now):
            if await outbound_dsn.notify(self, item, raw, waiting, "delayed", once=True):
                self.log.info("outbound.delay_warning", queue_id=item.id)
        retry_at = min(now + timedelta(seconds=self.config.retry_delay(item.attempts)), expires)
        errors = "; ".join(f"{a}: {o.detail}" for a, o in waiting.items())[:1000] or None
        await self.ctx.runner.write(
            queue.mark, item.id, {a: (o.status, o.detail) for a, o in outcomes.items()},
            retry_at=retry_at, error=errors,
        )
        self.log.info("outbound.attempt", queue_id=item.id, sent=sum(o.status == SENT for o in outcomes.values()),
                      failed=len(failed), pending=len(waiting), retry_at=retry_at.isoformat() if waiting else None)

    def _warn_due(self, item: QueueItem, now: datetime) -> bool:
        warn = self.config.delay_warning
        return bool(warn) and now - item.created >= timedelta(seconds=warn)

    def _read_blob(self, sha: str) -> bytes:
        with self.ctx.store.blobs.open(sha) as f:
            return bytes(f.read())

    async def deliver(self, sender: str, recipients: list[str], raw: bytes) -> dict[str, Outcome]:
        """One attempt for these recipients: grouped by transport and domain."""
        groups: dict[tuple[str, str], list[str]] = {}
        for rcpt in recipients:
            transport = route(rcpt)
            domain = rcpt.rpartition("@")[2].lower()
            if transport is None:
                transport = "local" if await self.ctx.runner.read(accounts.is_local_domain, domain) else "smtp"
                if transport == "smtp" and self.config.relayhost:
                    domain = ""  # one transaction to the relay for every remote domain
            groups.setdefault((transport, domain), []).append(rcpt)
        out: dict[str, Outcome] = {}
        jobs = [self._deliver_group(t, d, sender, rcpts, raw) for (t, d), rcpts in groups.items()]
        for result in await asyncio.gather(*jobs):
            out.update(result)
        return out

    async def _deliver_group(self, transport: str, domain: str, sender: str, rcpts: list[str],
                             raw: bytes) -> dict[str, Outcome]:
        if transport == "local":
            return await self._deliver_local(sender, rcpts, raw)
        if transport in ("sms", "fax"):
            out = {}
            for rcpt in rcpts:
                res = await self.gateways.send(transport, sender, rcpt, raw)
                out[rcpt] = Outcome(res.status, res.detail, res.remote)
            return out
        return await self._deliver_smtp(domain, sender, rcpts, raw)

    async def _deliver_local(self, sender: str, rcpts: list[str], raw: bytes) -> dict[str, Outcome]:
        """A queued message for a local address (a DSN to a local sender, a bounce the MX
        queued): through the one delivery path, like any other new mail."""
        out: dict[str, Outcome] = {}
        found = []
        for rcpt in rcpts:
            resolved = await self.ctx.runner.read(accounts.resolve_recipient, rcpt)
            if resolved:
                found.append((rcpt, resolved))
            else:
                out[rcpt] = Outcome(FAILED, "5.1.1 no such user here")
        if not found:
            return out
        targets = [r for _, rs in found for r in rs]
        copy = f"Return-Path: <{sender}>\r\n".encode() + raw
        try:
            results = await self.ctx.delivery.deliver(sender, targets, copy, source="queue")
        except Exception as exc:  # the commit failed; nothing stored
            return {**out, **{r: Outcome(PENDING, f"4.3.0 local delivery failed: {exc}") for r, _ in found}}
        status_by_account = {res.recipient.account_id: res for res in results}
        for rcpt, resolved in found:
            res = [status_by_account.get(r.account_id) for r in resolved]
            if all(x is not None and x.ok for x in res):
                out[rcpt] = Outcome(SENT, "2.0.0 delivered locally")
            elif any(x is not None and x.status == "mailbox full" for x in res):
                out[rcpt] = Outcome(PENDING, "4.2.2 mailbox full")
            else:
                out[rcpt] = Outcome(FAILED, "5.1.1 no such user here")
        return out

    async def _hops(self, domain: str) -> list[Hop]:
        if self.config.relayhost:
            host, port = parse_relayhost(self.config.relayhost, self.config.port)
            return [Hop(host, (host,), port)]  # the system resolver finds a named relayhost
        return await asyncio.get_running_loop().run_in_executor(None, mx_hops, self.dns, domain, self.config.port)

    async def _deliver_smtp(self, domain: str, sender: str, rcpts: list[str], raw: bytes) -> dict[str, Outcome]:
        try:
            hops = await self._hops(domain)
        except RouteError as exc:
            return dict.fromkeys(rcpts, Outcome(PENDING if exc.temporary else FAILED, f"{exc.status} {exc}"))
        last = "4.4.1 no answer from any MX host"
        for hop in hops:
            for address in hop.addresses:
                try:
                    result = await client.deliver(
                        address, hop.port, sender, rcpts, raw, helo=self.config.helo,
                        connect_timeout=self.config.connect_timeout, timeout=self.config.command_timeout)
                except client.SmtpClientError as exc:
                    # RFC 5321 5.1: a host that cannot be reached -> the next one. A 5xx
                    # greeting is the domain's answer, not a reachability problem.
                    if not exc.temporary:
                        return dict.fromkeys(rcpts, Outcome(FAILED, f"5.0.0 {exc}", hop.name))
                    last = f"4.4.1 {exc}"
                    self.log.info("outbound.hop_failed", host=hop.name, address=address, error=str(exc))
                    continue
                return {r: _reply_outcome(reply, hop.name) for r, reply in result.replies.items()}
        return dict.fromkeys(rcpts, Outcome(PENDING, last))
