"""Clean-up job (issue 6): Trash and Spam messages older than
delivery.trash_retention_days / spam_retention_days are purged, every account, hourly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from postvak.store import accounts, messages
from postvak.store.errors import NotFound

INTERVAL = 3600.0


def purge_account(tx: Any, account_id: int, trash_before: datetime, spam_before: datetime) -> int:
    purged = 0
    for special, before in (("\\Trash", trash_before), ("\\Junk", spam_before)):
        try:
            purged += messages.purge_older(tx, account_id, special, before)
        except NotFound:
            continue
    return purged


async def purge_old(ctx: Any, now: datetime | None = None) -> int:
    """One run; one write per account keeps each transaction short."""
    section = ctx.settings.delivery if ctx.settings is not None else {}
    now = now or datetime.now(UTC)
    trash = now - timedelta(days=float(section.get("trash_retention_days", 7)))
    spam = now - timedelta(days=float(section.get("spam_retention_days", 7)))
    total = 0
    for account in await ctx.runner.read(accounts.list_accounts):
        total += await ctx.runner.write(purge_account, account.id, trash, spam)
    if total:
        ctx.log.info("purge.trash_spam", messages=total)
    return total


def start(ctx: Any) -> Any:
    """The jobs.py starter: run now and then every INTERVAL seconds."""
    from postvak.servers.core.jobs import every

    return every(ctx, "purge_trash_spam", INTERVAL, lambda: purge_old(ctx))
