"""Sending mail from a device: the same submission rules as SMTP submission
(servers/smtp/handler.py), reached through the store and ctx.delivery rather than
by importing another server: From must be an identity of the account, Bcc is
stripped from what recipients get (the Sent copy keeps it), local recipients go
through ctx.delivery, remote ones into the store's queue in the same commit.

A recipient in one of our domains that does not exist is what SMTP submission
refuses at RCPT (550 5.1.1): with nobody else to send to, the command fails with
Status 116 (MessageRecipientUnresolved); otherwise the others get the message and
the sender finds an RFC 3464 report in their Inbox, so no address is dropped silently.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid
from typing import Any

from postvak.protocols.activesync import status as S
from postvak.protocols.mime import body_offset, parse_message, remove_header, split_fields
from postvak.protocols.smtp import DsnRecipient, OriginalEnvelope, build_dsn, parse_mailbox
from postvak.servers.activesync.request import CommandFailed, Request
from postvak.store import accounts, mailboxes, messages
from postvak.store.errors import NotFound

RECIPIENT_FIELDS = ("to", "cc", "bcc")
_SEMI = re.compile(rb';(?=(?:[^"]*"[^"]*")*[^"]*$)')  # a ';' outside quoted strings


@dataclass(frozen=True)
class Outcome:
    local: int
    remote: int
    saved_uid: int | None
    unknown: tuple[str, ...] = ()  # local-domain addresses that do not exist (reported by DSN)


def fix_semicolons(raw: bytes) -> bytes:
    """Outlook-style "a@x; b@y" recipient lists become RFC 5322 comma lists
    (group syntax, which uses ';' after a ':', is left alone)."""
    end = body_offset(raw, 0, len(raw))
    fields = split_fields(raw[:end])
    out, changed = [], False
    for name, data in fields:
        if name in RECIPIENT_FIELDS and b";" in data:
            head, sep, value = data.partition(b":")
            if b":" not in value:
                value = _SEMI.sub(b",", value.rstrip(b"\r\n").rstrip(b";, \t")) + b"\r\n"
                data, changed = head + sep + value, True
        out.append(data)
    return b"".join(out) + raw[end:] if changed else raw


def _prepend(raw: bytes, *fields: str) -> bytes:
    return "".join(f + "\r\n" for f in fields).encode("utf-8") + raw


def complete_headers(raw: bytes, account: Any, hostname: str) -> bytes:
    parsed = parse_message(raw)
    extra = []
    if parsed.header("from") is None:
        extra.append(f"From: <{account.address}>")
    if parsed.header("date") is None:
        extra.append(f"Date: {format_datetime(datetime.now(UTC))}")
    if parsed.header("message-id") is None:
        extra.append(f"Message-ID: {make_msgid(domain=hostname)}")
    return _prepend(raw, *extra) if extra else raw


async def submit(req: Request, raw: bytes, *, save_in_sent: bool) -> Outcome:
    ctx = req.ctx
    limit = int(getattr(getattr(ctx.settings, "limits", None), "message_size", 50 * 1024 * 1024) or 0)
    if limit and len(raw) > limit:
        raise CommandFailed(S.ATTACHMENT_IS_TOO_LARGE, "message too large")
    raw = complete_headers(fix_semicolons(raw), req.account, ctx.hostname)
    parsed = parse_message(raw)
    env = parsed.envelope
    senders = [a.addr_spec for a in env.from_ if a.addr_spec]
    for spec in senders:
        if not await req.read(accounts.sender_allowed, req.account.id, spec):
            raise CommandFailed(S.ACCESS_DENIED, f"From: <{spec}> is not an identity of {req.account.address}")
    sender = senders[0] if senders else req.account.address
    rcpts = []
    for addr in (*env.to, *env.cc, *env.bcc):
        spec = addr.addr_spec.strip().lower()
        if spec and "@" in spec and spec not in rcpts:
            rcpts.append(spec)
    if not rcpts:
        raise CommandFailed(S.MESSAGE_HAS_NO_RECIPIENT)
    local, remote, unknown = [], [], []
    for spec in rcpts:
        found = await req.read(accounts.resolve_recipient, spec)
        if found:
            local.extend(found)
        elif not await req.read(accounts.is_local_domain, spec.rpartition("@")[2]):
            remote.append(spec)
        else:
            unknown.append(spec)
            req.log("activesync.unknown_local_recipient", rcpt=spec)
    if not local and not remote:
        raise CommandFailed(S.MESSAGE_RECIPIENT_UNRESOLVED)
    received = (f"Received: from {req.peer} by {ctx.hostname} with HTTPS (Exchange ActiveSync {req.version})"
                f" id {secrets.token_hex(6)}; {format_datetime(datetime.now(UTC))}")
    outgoing = _prepend(remove_header(raw, "Bcc"), received)
    signer = ctx.extras.get("dkim_sign") if isinstance(ctx.extras, dict) else None
    if signer is not None:
        outgoing = signer(sender, outgoing)
    try:
        outcome = await ctx.delivery.deliver_all(
            sender, local, _prepend(outgoing, f"Return-Path: <{sender}>"), source="activesync",
            remote=remote, queue_raw=outgoing)
    except Exception as exc:  # the commit failed: nothing was sent
        req.log("activesync.submit_failed", error=repr(exc))
        raise CommandFailed(S.MAIL_SUBMISSION_FAILED) from exc
    saved = None
    if save_in_sent:
        try:
            sent = await req.read(mailboxes.get_special, req.account.id, "\\Sent")
            stored = await req.write(messages.ingest, req.account.id, sent.id, raw, flags=frozenset({"\\Seen"}))
            saved = stored.uid
        except NotFound:
            pass
    if unknown:
        await _report_unknown(req, raw, unknown)
    req.log("activesync.sent", local=len(local), remote=len(remote), queue_id=outcome.queue_id)
    return Outcome(len(local), len(remote), saved, tuple(unknown))


async def _report_unknown(req: Request, raw: bytes, unknown: list[str]) -> None:
    """A "failed" DSN (RFC 3464, status 5.1.1 as RFC 3463 names a bad mailbox) filed
    into the sending account's Inbox; a lost report never fails the send."""
    ctx = req.ctx
    try:
        path = parse_mailbox(req.account.address, smtputf8=True)
        rcpts = [DsnRecipient(a, "failed", "5.1.1", "550 5.1.1 No such user here") for a in unknown]
        report = build_dsn(ctx.hostname, OriginalEnvelope(path, arrival_date=datetime.now(UTC)), rcpts,
                           raw[:body_offset(raw, 0, len(raw))])
        me = await req.read(accounts.resolve_recipient, req.account.address)
        await ctx.delivery.deliver("", me, b"Return-Path: <>\r\n" + report, source="dsn")
    except Exception as exc:  # noqa: BLE001 - logged; the mail itself went out
        req.log("activesync.dsn_failed", error=repr(exc))
