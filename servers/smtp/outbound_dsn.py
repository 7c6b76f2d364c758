"""Telling the sender: RFC 3464 reports for the queue runner (failed, delayed).

A DSN goes out with the null reverse-path, so it can never cause another one; none is
made for a message whose sender was null (RFC 5321 4.5.5, `should_send_dsn`). To a
local sender it is filed through the delivery pipeline; to a remote one it is queued.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from postvak.protocols.mime.headers import body_offset
from postvak.protocols.smtp import (
    DsnRecipient,
    OriginalEnvelope,
    SmtpError,
    build_dsn,
    parse_mailbox,
    should_send_dsn,
)
from postvak.store import accounts, queue, state
from postvak.store.types import QueueItem

WARNED_SCOPE = "outbound.delay_warned"  # state entries: queue ids whose sender was warned


async def notify(runner: Any, item: QueueItem, raw: bytes, outcomes: dict[str, Any], action: str,
                 *, once: bool = False) -> bool:
    """Send one DSN about `outcomes` (address -> Outcome). With once=True (the delay
    warning) at most one per queue entry. Returns True when a report was sent."""
    ctx = runner.ctx
    if not should_send_dsn(item.sender):
        runner.log.info("outbound.no_dsn_for_null_sender", queue_id=item.id, action=action)
        return False
    key = str(item.id)
    if once and await ctx.runner.read(state.get, WARNED_SCOPE, None, key):
        return False
    try:
        sender_path = parse_mailbox(item.sender, smtputf8=True)
    except SmtpError:
        runner.log.warning("outbound.dsn_bad_sender", queue_id=item.id, sender=item.sender[:200])
        return False
    head = raw[: body_offset(raw, 0, len(raw))]
    rcpts = [
        DsnRecipient(addr, action, o.dsn_status, o.detail, remote_mta=o.remote_mta)
        for addr, o in outcomes.items()
    ]
    report = build_dsn(
        ctx.hostname, OriginalEnvelope(sender_path, arrival_date=item.created), rcpts, head,
        subject="Delayed Mail (still being retried)" if action == "delayed" else None,
    )
    try:
        await send_report(ctx, item.sender, report)
    except Exception as exc:  # a lost report must not keep the original message stuck
        runner.log.error("outbound.dsn_failed", queue_id=item.id, error=repr(exc))
        return False
    if once:
        keep = timedelta(seconds=runner.config.queue_lifetime + 86400)
        await ctx.runner.write(state.put, WARNED_SCOPE, None, key, True, expires=runner.clock() + keep)
    runner.log.info("outbound.dsn", queue_id=item.id, action=action, to=item.sender, recipients=len(rcpts))
    return True


async def send_report(ctx: Any, to: str, report: bytes) -> None:
    domain = to.rpartition("@")[2].lower()
    if ctx.delivery is not None and await ctx.runner.read(accounts.is_local_domain, domain):
        resolved = await ctx.runner.read(accounts.resolve_recipient, to)
        if not resolved:
            raise LookupError(f"local sender {to} no longer exists")
        await ctx.delivery.deliver("", resolved, b"Return-Path: <>\r\n" + report, source="dsn")
        return
    await ctx.runner.write(queue.enqueue, "", [to], report)
