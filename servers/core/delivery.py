"""The one entry for new external mail: SMTP (MX and submission to local users),
later fetched mail. Today: file into INBOX (or Spam on a hint); the filters work
extends this class with spam classification and Sieve, one method per step.

Durability (STYLE.md habit 8): `deliver` returns only after the store COMMIT that
holds the message for every recipient (and the queue entry for remote ones), so the
SMTP server can send its 250 after it. One write job per message: the blob is stored
once and either every recipient has it or none does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from postvak.store import ingest as store_ingest
from postvak.store import mailboxes, messages, queue
from postvak.store.errors import NotFound, QuotaExceeded
from postvak.store.types import Resolved, Stored

OK, FULL, UNKNOWN = "ok", "mailbox full", "no such user"


@dataclass(frozen=True)
class Target:
    """Where one recipient's copy goes; the filters steps will rewrite these."""

    recipient: Resolved
    special_use: str | None = None  # None: INBOX; "\\Junk": Spam
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DeliveryResult:
    recipient: Resolved
    status: str  # OK, FULL or UNKNOWN
    stored: Stored | None = None
    purged: bool = False  # room was made by purging Trash/Spam

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass(frozen=True)
class DeliveryOutcome:
    results: tuple[DeliveryResult, ...]
    queue_id: int | None = None  # outbound queue entry for remote recipients


class Delivery:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

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
    ) -> list[DeliveryResult]:
        """Store `raw` for every local recipient (and queue it for `remote` addresses) in
        one commit. Raises when the commit fails: nothing was stored, answer 4xx."""
        outcome = await self.deliver_all(mail_from, recipients, raw, source=source, spam_hint=spam_hint,
                                         remote=remote, queue_raw=queue_raw)
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
    ) -> DeliveryOutcome:
        """As `deliver`, with the queue id; `queue_raw` is what remote recipients get when
        it differs from the local copy (no Return-Path: the last hop adds that)."""
        targets = self.plan(recipients, raw, spam_hint=spam_hint)
        outcome: DeliveryOutcome = await self.ctx.runner.write(
            commit_delivery, targets, raw, mail_from, list(remote), queue_raw
        )
        self.ctx.log.info(
            "delivery", source=source, size=len(raw), local=len(targets), remote=len(remote),
            failed=sum(1 for r in outcome.results if not r.ok), queue_id=outcome.queue_id,
        )
        return outcome

    def plan(self, recipients: list[Resolved], raw: bytes, *, spam_hint: str | None = None) -> list[Target]:
        """One target per distinct account. A spam hint ("spam") files into Spam; the
        filters work replaces this step with the classifier and Sieve."""
        seen: dict[int, Target] = {}
        special = "\\Junk" if spam_hint == "spam" else None
        for rcpt in recipients:
            seen.setdefault(rcpt.account_id, Target(rcpt, special))
        return list(seen.values())


def commit_delivery(
    tx: Any, targets: list[Target], raw: bytes, mail_from: str, remote: list[str], queue_raw: bytes | None = None,
) -> DeliveryOutcome:
    """The write job (runs on the store writer thread inside one transaction); built
    only from store API functions. A quota refusal is per recipient: the oldest Trash,
    then Spam, is purged to make room, else that recipient gets FULL."""
    results = [_deliver_one(tx, target, raw) for target in targets]
    queue_id = queue.enqueue(tx, mail_from, remote, raw if queue_raw is None else queue_raw) if remote else None
    return DeliveryOutcome(tuple(results), queue_id)


def _deliver_one(tx: Any, target: Target, raw: bytes) -> DeliveryResult:
    account_id = target.recipient.account_id
    try:
        box = _mailbox_for(tx, account_id, target.special_use)
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
    stored = messages.ingest(tx, account_id, box.id, raw, flags=target.flags)
    return DeliveryResult(target.recipient, OK, stored, purged)


def _mailbox_for(tx: Any, account_id: int, special_use: str | None) -> Any:
    if special_use:
        try:
            return mailboxes.get_special(tx, account_id, special_use)
        except NotFound:
            pass  # no such folder: INBOX rather than losing the message
    return mailboxes.get_mailbox(tx, account_id, "INBOX")
