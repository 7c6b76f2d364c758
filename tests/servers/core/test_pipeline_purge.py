"""The Trash/Spam clean-up job (servers/core/delivery_jobs.py) on a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from postvak.servers.core import delivery_jobs
from postvak.store import accounts, mailboxes, messages
from tests.servers.core.test_pipeline import GTUBE, Env, mail


class _Settings:
    delivery = {"trash_retention_days": 7, "spam_retention_days": 3}


def test_purges_old_trash_and_spam_only(tmp_path: Path) -> None:
    env = Env(tmp_path)
    try:
        env.delivery.ctx.settings = _Settings()
        env.deliver(mail(body=GTUBE))  # Spam
        env.deliver(mail(subject="keep me"))  # INBOX
        acct = env.store.read(accounts.get_account, "u@example.test")
        inbox = env.store.read(mailboxes.get_mailbox, acct.id, "INBOX")
        trash = env.store.read(mailboxes.get_special, acct.id, "\\Trash")
        env.deliver(mail(subject="to trash"))
        env.store.write(messages.move, inbox.id, [2], trash.id)
        now = datetime.now(UTC)
        assert env.loop.run_until_complete(delivery_jobs.purge_old(env.delivery.ctx, now)) == 0
        # Four days on: the Spam message (3 days) goes, the Trash one (7 days) stays.
        assert env.loop.run_until_complete(delivery_jobs.purge_old(env.delivery.ctx, now + timedelta(days=4))) == 1
        assert env.box("", special="\\Junk") == [] and len(env.box("Trash")) == 1
        assert env.loop.run_until_complete(delivery_jobs.purge_old(env.delivery.ctx, now + timedelta(days=8))) == 1
        assert len(env.box("INBOX")) == 1
    finally:
        env.close()
