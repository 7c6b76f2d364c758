"""The decisions behind the SMTP wire (protocol.py calls these): who may log in,
send as whom, to whom; what is added to the message; and handing it to delivery.

Durability: `deliver` returns the 250 only after Delivery's commit returned, which
holds the message for every local recipient and the queue entry for remote ones.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from postvak.protocols import mime, sasl
from postvak.protocols.mime.headers import body_offset, remove_header, split_fields
from postvak.protocols.smtp import (
    DsnRecipient,
    OriginalEnvelope,
    Path,
    build_dsn,
    build_received,
    parse_mailbox,
    relay_probe_reason,
    with_protocol,
)
from postvak.protocols.smtp import replies as R
from postvak.servers.core.pipeline import Arrival, dkim_word
from postvak.servers.smtp import checks, limits
from postvak.servers.smtp.gateways import BadNumber, normalize_number, route
from postvak.servers.smtp.resolver import Dns
from postvak.store import accounts, ingest, queue


class SmtpHandler:
    def __init__(self, ctx: Any, listener: str, *, submission: bool, dns: Dns) -> None:
        self.ctx = ctx
        self.listener = listener
        self.submission = submission
        self.dns = dns
        self.log = ctx.log.bind(listener=listener) if hasattr(ctx.log, "bind") else ctx.log
        self.limits = limits.defaults(ctx.settings)
        self.max_recipients = self.limits.recipients or 100  # MX, and before AUTH

    # -- AUTH -------------------------------------------------------------------------
    async def authenticate(self, server: Any, creds: sasl.Credentials) -> Any | None:
        if creds.authzid and creds.authzid.lower() != creds.username.lower():
            return None  # acting for someone else is not offered (RFC 4616 2: authzid)
        account = await self.ctx.auth.verify(creds.username, creds.password, server.peer_ip)
        self.log.info("smtp.auth", user=creds.username, ok=account is not None, peer=server.peer_ip)
        return account

    # -- MAIL FROM --------------------------------------------------------------------
    async def check_sender(self, server: Any, sender: str, params: Any) -> R.Reply | None:
        if not self.submission:
            return None
        account = server.session.account
        if not sender or not await self.ctx.runner.read(accounts.sender_allowed, account.id, sender):
            return R.S553_SENDER_NOT_OWNED.with_text(f"Sender <{sender}> not owned by {account.address}")
        # Per-user limits (settings, overridable per user) read once per transaction.
        lim = await self.ctx.runner.read(limits.for_submission, account.id, self.limits, limits.day_key())
        if lim.per_day and lim.sent_today >= lim.per_day:
            return R.S550_POLICY.with_text(f"Daily limit of {lim.per_day} messages reached for {account.address}")
        server.envelope.max_recipients = lim.recipients or 0
        return None

    # -- RCPT TO ----------------------------------------------------------------------
    async def check_recipient(self, server: Any, path: Path) -> R.Reply:
        env = server.envelope
        cap = self.max_recipients if env.max_recipients is None else env.max_recipients
        if cap and len(env.rcpt_tos) >= cap:
            # RFC 5321 4.5.3.1.10: 452 lets the client send the rest in another transaction.
            return R.S452_TOO_MANY_RECIPIENTS.with_text(f"Too many recipients (at most {cap} per message)")
        if not path.domain:  # <Postmaster> (RFC 5321 4.1.1.3)
            return await self._add_local(env, await self._postmaster())
        reason = relay_probe_reason(path)
        if reason is not None:
            self.log.info("smtp.relay_probe", rcpt=path.address[:200], reason=reason, peer=server.peer_ip)
            return R.S554_RELAY_DENIED.with_text(f"Relay access denied ({reason})")
        address = path.address
        transport = route(address)
        if transport is not None and self.submission and server.session.account is not None:
            return self._add_gateway(env, address, transport)
        # One indexed lookup: on the loop (runner.read_here) rather than a reader thread's round trip.
        resolved = await self.ctx.runner.read_here(ingest.recipient, path.domain, address)
        if resolved is not None:  # a local domain
            if not resolved:
                return R.S550_NO_SUCH_USER.with_text(f"No such user here: <{address}>")
            return await self._add_local(env, (address, resolved))
        if self.submission and server.session.account is not None:
            env.remote.append(address)
            env.rcpt_tos.append(address)
            return R.S250_RECIPIENT_OK
        return R.S554_RELAY_DENIED

    def _add_gateway(self, env: Any, address: str, transport: str) -> R.Reply:
        """NUMBER@SMS / NUMBER@FAX: queued like a remote recipient; the queue runner hands
        it to the gateway driver. The number must be international (E.164) now, so the
        user learns of a typo from the 553 rather than from a bounce later."""
        try:
            normalize_number(address)
        except BadNumber as exc:
            return R.S553_BAD_ADDRESS.with_text(f"Not a {transport.upper()} number: {exc}")
        env.remote.append(address)
        env.rcpt_tos.append(address)
        return R.S250_RECIPIENT_OK

    async def _postmaster(self) -> tuple[str, list[Any]] | None:
        host = self.ctx.hostname.lower()
        names = [d.name for d in await self.ctx.runner.read(accounts.list_domains)]
        # The server's own domain first (mail.example.org -> example.org), then the rest.
        names.sort(key=lambda n: not (host == n or host.endswith("." + n)))
        for name in names:
            address = f"postmaster@{name}"
            found = await self.ctx.runner.read(accounts.resolve_recipient, address)
            if found:
                return address, found
        return None

    async def _add_local(self, env: Any, hit: tuple[str, list[Any]] | None) -> R.Reply:
        if hit is None:
            return R.S550_NO_SUCH_USER
        address, resolved = hit
        env.local.extend(resolved)
        env.rcpt_tos.append(address)
        return R.S250_RECIPIENT_OK

    # -- DATA / BDAT LAST -------------------------------------------------------------
    async def deliver(self, server: Any, env: Any, content: bytes) -> R.Reply:
        if self.submission:
            return await self._submit(server, env, content)
        return await self._receive(server, env, content)

    async def _receive(self, server: Any, env: Any, content: bytes) -> R.Reply:
        verdict = await self._auth_checks(server, env, content)
        spam_hint = None
        if verdict is not None and verdict.action == "reject":
            self.log.info("smtp.dmarc_reject", domain=verdict.dmarc.domain, peer=server.peer_ip)
            return R.S550_POLICY.with_text(f"Rejected by the DMARC policy of {verdict.dmarc.domain}")
        if verdict is not None and verdict.action == "quarantine":
            spam_hint = "spam"
        raw = drop_our_results(content, self.ctx.hostname)
        headers = [f"Return-Path: <{env.sender}>\r\n".encode()]
        if verdict is not None:
            headers.append(_field("Authentication-Results", verdict.header_value))
        headers.append(self._received(server, env))
        arrival = Arrival(client_ip=server.peer_ip, helo=server.session.host_name or None,
                          spf=verdict.spf if verdict else None, dkim=dkim_word(verdict.dkim) if verdict else None,
                          dmarc=verdict.dmarc.result if verdict else None)
        headers.append(raw)  # one join: the message is copied once, not twice
        return await self._hand_over(env, b"".join(headers), spam_hint=spam_hint, arrival=arrival)

    async def _auth_checks(self, server: Any, env: Any, content: bytes) -> checks.AuthVerdict | None:
        job = lambda: checks.check_message(  # noqa: E731
            content, ip=server.peer_ip, helo=server.session.host_name or "", mail_from=env.sender,
            authserv_id=self.ctx.hostname, resolver=self.dns)
        try:
            # Every answer cached (a sender seen recently): here, without a thread's round trip.
            verdict = self.dns.cached_only(job)
            if verdict is not None:
                return verdict
            return await asyncio.wait_for(self.ctx.loop.run_in_executor(None, job), self.dns.timeout * 4 + 5)
        except Exception as exc:  # checks must never lose a message: record nothing instead
            self.log.warning("smtp.auth_checks_failed", error=repr(exc))
            return None

    async def _submit(self, server: Any, env: Any, content: bytes) -> R.Reply:
        account = server.session.account
        parsed = mime.parse_message(content)
        for addr in parsed.envelope.from_ if parsed.envelope else ():
            spec = addr.addr_spec
            if spec and not await self.ctx.runner.read(accounts.sender_allowed, account.id, spec):
                return R.S553_SENDER_NOT_OWNED.with_text(f"From: <{spec}> not owned by {account.address}")
        # RFC 5321 7.2 / FEATURES: Bcc recipients get the mail, nobody sees the Bcc field.
        outgoing = self._received(server, env) + remove_header(content, "Bcc")
        outgoing = self.sign(env.sender, outgoing)
        local_copy = f"Return-Path: <{env.sender}>\r\n".encode() + outgoing
        reply = await self._hand_over(env, local_copy, queue_raw=outgoing, arrival=Arrival(
            client_ip=server.peer_ip, helo=server.session.host_name or None, authenticated=True))
        if reply.is_positive:
            await self.ctx.runner.write(limits.count_sent, account.id, limits.day_key())
        return reply

    def sign(self, sender: str, raw: bytes) -> bytes:
        """DKIM signing by servers/smtp/dkim.py, registered as ctx.extras["dkim_sign"](sender, raw)."""
        signer = self.ctx.extras.get("dkim_sign") if isinstance(self.ctx.extras, dict) else None
        return signer(sender, raw) if signer is not None else raw

    def _received(self, server: Any, env: Any) -> bytes:
        tls = server.tls_info()
        authed = server.session.account is not None
        proto = with_protocol(esmtp=bool(server.session.extended_smtp), tls=tls is not None, auth=authed,
                              utf8=bool(env.params and env.params.smtputf8))
        rcpts = env.rcpt_tos
        return build_received(helo=server.session.host_name or "", peer_ip=server.peer_ip, by_host=self.ctx.hostname,
                              protocol=proto, queue_id=secrets.token_hex(6), tls=tls, authenticated=authed,
                              for_addr=rcpts[0] if len(rcpts) == 1 else None)

    async def _hand_over(self, env: Any, raw: bytes, *, spam_hint: str | None = None,
                         queue_raw: bytes | None = None, arrival: Arrival | None = None) -> R.Reply:
        try:
            outcome = await self.ctx.delivery.deliver_all(
                env.sender, list(env.local), raw, source=self.listener, spam_hint=spam_hint,
                remote=list(env.remote), queue_raw=queue_raw, arrival=arrival)
        except Exception as exc:  # the commit failed: nothing stored, the client retries
            self.log.error("smtp.delivery_failed", error=repr(exc), exc_info=True)
            return R.S451_LOCAL_ERROR
        failed = [r for r in outcome.results if not r.ok]
        if len(failed) == len(outcome.results) and outcome.queue_id is None:
            refused = [r for r in failed if r.status == "rejected"]
            if refused:  # RFC 5429 2.1: a Sieve (e)reject answered in the SMTP transaction
                return R.S550_POLICY.with_text(" ".join(refused[0].detail.split())[:200] or "Rejected by filter")
            if any(r.status == "mailbox full" for r in failed):
                return R.S552_MAILBOX_FULL
            return R.S550_NO_SUCH_USER
        if failed and env.sender:
            await self._bounce(env, raw, failed)
        ref = outcome.queue_id or next((r.stored.message_id for r in outcome.results if r.stored), "")
        return R.S250_QUEUED.with_text(f"Message accepted ({ref})")

    async def _bounce(self, env: Any, raw: bytes, failed: list[Any]) -> None:
        """Some recipients were full after the others were stored: tell the sender (RFC 3464)."""
        try:
            sender_path = parse_mailbox(env.sender, smtputf8=True)
            dsn = build_dsn(
                self.ctx.hostname, OriginalEnvelope(sender_path),
                [DsnRecipient(r.recipient.address, "failed", "5.2.2", "552 5.2.2 Mailbox full") for r in failed],
                raw[: body_offset(raw, 0, len(raw))])
            await self.ctx.runner.write(queue.enqueue, "", [env.sender], dsn)
        except Exception as exc:
            self.log.warning("smtp.bounce_failed", error=repr(exc))


def _field(name: str, value: str) -> bytes:
    return f"{name}: {value}\r\n".encode("utf-8", "replace")


def drop_our_results(raw: bytes, authserv_id: str) -> bytes:
    """RFC 8601 5: remove Authentication-Results fields that claim to be ours."""
    end = body_offset(raw, 0, len(raw))
    fields = split_fields(raw[:end])
    ours = authserv_id.lower().encode()

    def forged(name: str | None, data: bytes) -> bool:
        if name != "authentication-results":
            return False
        value = data.split(b":", 1)[1].strip() if b":" in data else b""
        words = value.split(b";", 1)[0].split()
        return bool(words) and words[0].lower() == ours

    kept = [data for name, data in fields if not forged(name, data)]
    if len(kept) == len(fields):
        return raw
    return b"".join(kept) + raw[end:]
