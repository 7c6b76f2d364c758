"""GETQUOTA, GETQUOTAROOT (RFC 9208, QUOTA=RES-STORAGE): one root "" per account, in KiB."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postvak.protocols.imap import codes
from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap import requests as rq
from postvak.servers.imap.errors import No, from_store
from postvak.store import accounts, mailboxes
from postvak.store.errors import NotFound

if TYPE_CHECKING:
    from postvak.servers.imap.session import ImapSession

ROOT = ""


async def _send_quota(s: ImapSession) -> None:
    account = await s.ctx.runner.read(accounts.get_account_by_id, s.account.id)
    if account is None or account.quota_bytes is None:
        return  # RFC 9208 4.2: no limits, no QUOTA resources to report
    # RFC 9208 5.1: STORAGE in units of 1024 octets
    s.write(fmt.quota_response(ROOT, [("STORAGE", (account.used_bytes + 1023) // 1024, account.quota_bytes // 1024)]))


async def getquota(s: ImapSession, tag: str, req: rq.GetQuota) -> None:
    if req.root != ROOT:
        raise No("no such quota root", codes.NONEXISTENT)
    await _send_quota(s)


async def getquotaroot(s: ImapSession, tag: str, req: rq.GetQuotaRoot) -> None:
    mb = await s.ctx.runner.read(mailboxes.find_mailbox, s.account.id, req.mailbox)
    if mb is None:
        raise from_store(NotFound(f"no mailbox {req.mailbox}"))
    s.write(fmt.quotaroot_response(mb.name, [ROOT], s.utf8))
    await _send_quota(s)


async def setquota(s: ImapSession, tag: str, req: rq.SetQuota) -> None:
    raise No("quotas are set by the administrator", codes.NOPERM)  # RFC 9208 4.1.3
