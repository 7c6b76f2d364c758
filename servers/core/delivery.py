"""The one entry for new external mail: SMTP (MX and submission to local users),
later fetched mail. Per recipient, servers/core/pipeline.py decides (spam verdict,
then the user's Sieve script); the write job here carries the decisions out:
folders (created on :create), flags, private comments, redirects and vacation
replies (queued, or delivered locally), refusals.

Durability (STYLE.md habit 8): `deliver` returns only after the store COMMIT that
holds the message for every recipient (and the queue entry for remote ones), so the
SMTP server can send its 250 after it. One write job per message: the blob is stored
once and either every recipient has it or none does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from postvak.filters import sieve
from postvak.servers.core import delivery_pool, pipeline
from postvak.store import accounts, mailboxes, messages, queue, state
from postvak.store import ingest as store_ingest
from postvak.store.errors import AlreadyExists, Forbidden, NotFound, QuotaExceeded
from postvak.store.types import Resolved, Stored

OK, FULL, UNKNOWN, REJECTED = "ok", "mailbox full", "no such user", "rejected"
Arrival = pipeline.Arrival  # what the SMTP handler knew about the connection


@dataclass(frozen=True)
class Target:
    """Where one recipient's copy goes; the filters steps will rewrite these."""

    recipient: Resolved
    special_use: str | None = None  # None: INBOX; "\\Junk": Spam
    flags: frozenset[str] = frozenset()
    mailbox: str | None = None  # a folder by name (Sieve fileinto); wins over special_use
    create: bool = False  # RFC 5490 3.2 fileinto :create
    comment: str | None = None  # private note (vnd.postvak.comment), set after ingest
    raw: bytes | None = None  # this recipient's copy when it differs (spam headers)
    sha: str | None = None  # sha256 of the copy when known (Decision.sha): not hashed again
    discard: bool = False  # Sieve discard or reject: no copy, yet delivered (RFC 5228 4.3)


@dataclass(frozen=True)
class DeliveryResult:
    recipient: Resolved
    status: str  # OK, FULL, UNKNOWN or REJECTED
    stored: Stored | None = None
    purged: bool = False  # room was made by purging Trash/Spam
    detail: str = ""  # REJECTED: the reason for the SMTP reply (550 5.7.1)

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass(frozen=True)
class DeliveryOutcome:
    results: tuple[DeliveryResult, ...]
    queue_id: int | None = None  # outbound queue entry for remote recipients
    sent: int = 0  # redirects, vacation replies and bounces sent or queued


class Delivery:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.scripts = pipeline.ScriptCache()
        self.clock: Any = lambda: datetime.now(UTC)  # tests pin Sieve's currentdate with this
        self.spam_on, self.spam_conf = pipeline.spam_settings(getattr(ctx, "settings", None))
        max_redirects = int(pipeline._section(getattr(ctx, "settings", None), "sieve").get("max_redirects", 4))
        self.limits = sieve.Limits(max_redirects=max_redirects)
        self.max_hops = pipeline.max_hops(getattr(ctx, "settings", None))
        self.in_flight = 0  # deliver_all calls running now (on the reactor thread)
        workers = int(pipeline._section(getattr(ctx, "settings", None), "delivery").get("filter_workers", 0))
        self.pool = delivery_pool.FilterPool(delivery_pool.default_workers() if workers < 0 else workers, ctx.log)
        if self.pool.workers:
            self.pool.start(getattr(ctx, "loop", None))  # spawning takes a second: not at the first message

    async def deliver(
        self,
        mail_from: str,
        recipients: list[Resolved],
        raw: bytes,
        *,
        source: str,
        spam_hint: str | None = None,
        remote: Sequence[str] = (),
        queue_raw: bytes | None = None,
        arrival: pipeline.Arrival | None = None,
    ) -> list[DeliveryResult]:
        """Store `raw` for every local recipient (and queue it for `remote` addresses) in
        one commit. Raises when the commit fails: nothing was stored, answer 4xx."""
        outcome = await self.deliver_all(mail_from, recipients, raw, source=source, spam_hint=spam_hint,
                                         remote=remote, queue_raw=queue_raw, arrival=arrival)
        return list(outcome.results)

    async def deliver_all(
        self,
        mail_from: str,
        recipients: list[Resolved],
        raw: bytes,
        *,
        source: str,
        spam_hint: str | None = None,
        remote: Sequence[str] = (),
        queue_raw: bytes | None = None,
        arrival: pipeline.Arrival | None = None,
    ) -> DeliveryOutcome:
        """As `deliver`, with the queue id; `queue_raw` is what remote recipients get when
        it differs from the local copy (no Return-Path: the last hop adds that). `arrival`
        feeds the spam check (client IP, HELO, SPF/DKIM/DMARC); None: read our own
        Authentication-Results field instead."""
        self.in_flight += 1  # background jobs (the indexer) yield while this is > 0
        try:
            return await self._deliver_all(mail_from, recipients, raw, source=source, spam_hint=spam_hint,
                                           remote=remote, queue_raw=queue_raw, arrival=arrival)
        finally:
            self.in_flight -= 1

    async def _deliver_all(self, mail_from: str, recipients: list[Resolved], raw: bytes, *, source: str,
                           spam_hint: str | None, remote: Sequence[str], queue_raw: bytes | None,
                           arrival: pipeline.Arrival | None) -> DeliveryOutcome:
        decisions = await self.decide(mail_from, recipients, raw, source=source, spam_hint=spam_hint,
                                      arrival=arrival)
        smtp_time = source in pipeline.SMTP_SOURCES
        if smtp_time and decisions and not remote and all(d.reject is not None for d in decisions):
            # RFC 5429 2.1: every recipient refused it: the SMTP reply carries the reason.
            self.ctx.log.info("delivery.rejected", source=source, recipients=len(decisions))
            return DeliveryOutcome(tuple(DeliveryResult(d.recipient, REJECTED, detail=d.reject or "")
                                         for d in decisions))
        decisions = await self.redirect_locally(decisions, source=source, arrival=arrival)
        targets, sends = self.targets(decisions, mail_from, raw)
        outcome: DeliveryOutcome = await self.ctx.runner.write(
            commit_delivery, targets, raw, mail_from, list(remote), queue_raw, sends
        )
        if outcome.queue_id is not None or outcome.sent:
            kick = self.ctx.extras.get("outbound_kick") if isinstance(self.ctx.extras, dict) else None
            if kick is not None:
                kick()
        self.ctx.log.info(
            "delivery", source=source, size=len(raw), local=len(targets), remote=len(remote),
            failed=sum(1 for r in outcome.results if not r.ok), queue_id=outcome.queue_id, sent=outcome.sent,
        )
        return outcome

    async def decide(self, mail_from: str, recipients: list[Resolved], raw: bytes, *, source: str,
                     spam_hint: str | None = None, arrival: pipeline.Arrival | None = None,
                     smtp_time: bool | None = None) -> list[pipeline.Decision]:
        """One decision per distinct account (spam, then Sieve); never raises for a
        filter problem: that recipient gets the plain INBOX copy and a log line."""
        distinct: dict[int, Resolved] = {}
        for rcpt in recipients:
            distinct.setdefault(rcpt.account_id, rcpt)
        spam_on = self.spam_on and source not in pipeline.TRUSTED_SOURCES
        if arrival is not None and arrival.authenticated:
            spam_on = False  # a logged-in user's own mail
        if smtp_time is None:
            smtp_time = source in pipeline.SMTP_SOURCES
        global_model = None
        out = []
        for n, rcpt in enumerate(distinct.values()):
            try:
                # A few indexed rows (a model's bytes only when it changed): on the loop, not
                # a reader thread's round trip (runner.read_here).
                if n == 0:  # the global model comes with the first inputs: one read, not two
                    global_model, inputs = await self.ctx.runner.read_here(pipeline.read_inputs, rcpt.account_id,
                                                                           spam_on)
                else:
                    inputs = await self.ctx.runner.read_here(pipeline.load_inputs, rcpt.account_id)
                original = _with_detail(rcpt)
                args = (rcpt, original, mail_from, raw, inputs)
                kwargs = dict(global_model=global_model, spam_on=spam_on, spam_conf=self.spam_conf,
                              spam_hint=spam_hint, smtp_time=smtp_time, limits=self.limits,
                              hostname=self.ctx.hostname, now=self.clock(), arrival=arrival, max_hops=self.max_hops)
                decision = await self._decide_one(args, kwargs)
            except Exception as exc:  # a filter bug must not lose mail
                self.ctx.log.error("delivery.filter_failed", account=rcpt.account_id, error=repr(exc), exc_info=True)
                special = "\\Junk" if spam_hint == "spam" else None
                decision = pipeline.Decision(rcpt, raw, (pipeline.Filing(special_use=special),))
            for error in decision.errors:
                self.ctx.log.warning("sieve.runtime_error", account=rcpt.account_id, error=error[:300])
            out.append(decision)
        return out

    async def _decide_one(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> pipeline.Decision:
        """pipeline.decide off the reactor: in the filter worker process when there is one,
        else on a reader thread here. Without spam checks or a Sieve script there is still
        the stored copy's parse and search terms (delivery_pool.with_index, 1.9 ms at
        100 KB): on a reader thread here they held the interpreter lock the loop and the
        store writer need, and with spam.enabled = false 100 KB x 10 ran slower than with it."""
        def here() -> Any:
            return self.ctx.runner.offload(delivery_pool.decide_here, args, kwargs, self.scripts)

        if self.pool.workers:
            decision: pipeline.Decision = await self.pool.decide(self.ctx.loop, here, args, kwargs)
            return decision
        return await here()  # type: ignore[no-any-return]

    async def redirect_locally(self, decisions: list[pipeline.Decision], *, source: str,
                               arrival: pipeline.Arrival | None) -> list[pipeline.Decision]:
        """A redirect to a local address (an account, alias or group here) is a new
        arrival for that recipient: its own spam check and Sieve script decide, and its
        copy commits with the rest (one ingest path, one transaction). Loops end in
        `pipeline.is_loop`: each hop adds a Delivered-To, so a cycle meets its own
        address and a chain meets `delivery.max_hops`; the depth bound below is a
        second fence. Spam trust follows the original arrival (`source`, `arrival`)."""
        out: list[pipeline.Decision] = []
        pending = [(d, 0) for d in decisions]
        while pending:
            decision, depth = pending.pop(0)
            keep: list[pipeline.Send] = []
            for send in decision.sends:
                local = (await self.ctx.runner.read(accounts.resolve_recipient, send.to)
                         if send.kind == "redirect" else [])
                if not local:
                    keep.append(send)  # remote: the outbound queue; own replies: _send
                    continue
                if depth >= self.max_hops:
                    self.ctx.log.warning("delivery.redirect_depth", account=decision.recipient.account_id,
                                         to=send.to)
                    if not decision.filings:  # nothing lost: the redirecting user keeps it
                        decision = replace(decision, filings=(pipeline.Filing(),))
                    continue
                raw = f"Return-Path: <{send.mail_from}>\r\n".encode() + send.raw  # RFC 5321 4.4
                nested = await self.decide(send.mail_from, local, raw, source=source, arrival=arrival,
                                           smtp_time=False)
                pending.extend((d, depth + 1) for d in nested)
            out.append(replace(decision, sends=tuple(keep)))
        return out

    def targets(self, decisions: list[pipeline.Decision], mail_from: str,
                raw: bytes) -> tuple[list[Target], list[pipeline.Send]]:
        targets: list[Target] = []
        sends: list[pipeline.Send] = []
        for d in decisions:
            copy = None if d.raw == raw else d.raw
            if d.reject is not None and mail_from:
                # Refused at SMTP time is impossible here (others accepted it): a bounce.
                sends.append(pipeline.Send("", mail_from, pipeline._refusal(
                    d.recipient.address, mail_from, d.reject, d.raw, self.ctx.hostname, self.clock()),
                    kind="bounce"))
            if not d.filings:
                targets.append(Target(d.recipient, discard=True))
            for f in d.filings:
                targets.append(Target(d.recipient, f.special_use, f.flags, f.mailbox, f.create, f.comment, copy,
                                      sha=d.sha))
            sends.extend(d.sends)
        return targets, sends

    def plan(self, recipients: list[Resolved], raw: bytes, *, spam_hint: str | None = None) -> list[Target]:
        """Without filters: one target per distinct account; a spam hint files into Spam."""
        seen: dict[int, Target] = {}
        special = "\\Junk" if spam_hint == "spam" else None
        for rcpt in recipients:
            seen.setdefault(rcpt.account_id, Target(rcpt, special))
        return list(seen.values())


def _with_detail(rcpt: Resolved) -> str:
    if not rcpt.detail:
        return rcpt.address
    local, _, domain = rcpt.address.partition("@")
    return f"{local}+{rcpt.detail}@{domain}"


def commit_delivery(
    tx: Any, targets: list[Target], raw: bytes, mail_from: str, remote: list[str], queue_raw: bytes | None = None,
    sends: Sequence[pipeline.Send] = (),
) -> DeliveryOutcome:
    """The write job (runs on the store writer thread inside one transaction); built
    only from store API functions. A quota refusal is per recipient: the oldest Trash,
    then Spam, is purged to make room, else that recipient gets FULL."""
    results = [_deliver_one(tx, target, raw) for target in targets]
    queue_id = queue.enqueue(tx, mail_from, remote, raw if queue_raw is None else queue_raw) if remote else None
    sent = sum(1 for send in sends if _send(tx, send))
    return DeliveryOutcome(tuple(results), queue_id, sent)


def _send(tx: Any, send: pipeline.Send) -> bool:
    """Redirect, vacation reply or bounce: a local address gets it in INBOX at once,
    another goes to the outbound queue. A vacation memory key already present means
    this sender was answered within the period (RFC 5230 4.2): nothing is sent."""
    if send.memory is not None:
        if state.get(tx, "vacation", send.account_id, send.memory) is not None:
            return False
        expires = datetime.now(UTC) + timedelta(seconds=max(send.memory_seconds, 1))
        state.put(tx, "vacation", send.account_id, send.memory, True, expires=expires)
    local = accounts.resolve_recipient(tx, send.to)
    if not local:
        queue.enqueue(tx, send.mail_from, [send.to], send.raw)
        return True
    for rcpt in {r.account_id: r for r in local}.values():
        raw = f"Return-Path: <{send.mail_from}>\r\n".encode() + send.raw
        _deliver_one(tx, Target(rcpt), raw)
    return True


def _deliver_one(tx: Any, target: Target, raw: bytes) -> DeliveryResult:
    account_id = target.recipient.account_id
    raw = target.raw if target.raw is not None else raw
    if target.discard:
        return DeliveryResult(target.recipient, OK)  # RFC 5228 4.3: silently dropped
    try:
        box_id = _mailbox_for(tx, account_id, target)
    except NotFound:
        return DeliveryResult(target.recipient, UNKNOWN)
    purged = False
    try:
        # Checked before any write of this recipient, so a refusal leaves nothing behind.
        store_ingest.precheck_quota(tx, account_id, len(raw))
    except QuotaExceeded:
        if not messages.make_room(tx, account_id, len(raw)):
            return DeliveryResult(target.recipient, FULL)
        purged = True
    except NotFound:
        return DeliveryResult(target.recipient, UNKNOWN)
    # A QuotaExceeded from here on (a concurrent writer on PostgreSQL) fails the whole
    # job, which rolls back: the client gets a 4xx and retries; nothing half-done commits.
    # The folder is the account's (_mailbox_for) and its quota was checked just now.
    stored = messages.ingest(tx, account_id, box_id, raw, flags=target.flags, checked=True, sha=target.sha)
    if target.comment:
        messages.set_annotation(tx, box_id, stored.uid, target.comment)
    return DeliveryResult(target.recipient, OK, stored, purged)


def _mailbox_for(tx: Any, account_id: int, target: Target) -> int:
    """The target folder's id (one prepared query in the common cases: INBOX, Spam)."""
    if target.mailbox and target.mailbox.upper() != "INBOX":
        box = mailboxes.find_mailbox(tx, account_id, target.mailbox)
        if box is None and target.create:
            try:
                # The store checks names and system-folder rules before it writes anything.
                box = mailboxes.create_mailbox(tx, account_id, target.mailbox)
            except (AlreadyExists, Forbidden, ValueError, NotFound):
                box = mailboxes.find_mailbox(tx, account_id, target.mailbox)
        if box is not None:
            return int(box.id)
        # RFC 5228 4.1: filing into a missing folder fails; the implicit keep (INBOX) holds it.
    if target.special_use and not target.mailbox:
        found = store_ingest.mailbox_id(tx, account_id, special_use=target.special_use)
        if found is not None:
            return int(found)
        # no such folder: INBOX rather than losing the message
    found = store_ingest.mailbox_id(tx, account_id, "INBOX")
    if found is None:
        raise NotFound("no mailbox INBOX")
    return int(found)
