"""The maildrop a POP3 session works on: INBOX as it was at login (RFC 1939 8:
the server must not change message numbers during a session) plus the marks
DELE sets, which only QUIT commits (RFC 1939 6 UPDATE state)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from postvak.servers.pop3.errors import Pop3Error
from postvak.store import mailboxes, messages
from postvak.store.types import MessageMeta

TRASH = "\\Trash"


def unique_id(uidvalidity: int, uid: int) -> str:
    """RFC 1939 7 UIDL: 1-70 chars of 0x21-0x7E, never reused. UIDVALIDITY changes
    only when UIDs could repeat, so the pair is unique forever."""
    return f"{uidvalidity}.{uid}"


@dataclass
class Maildrop:
    account_id: int
    mailbox_id: int
    uidvalidity: int
    messages: tuple[MessageMeta, ...]
    deleted: set[int] = field(default_factory=set)  # message numbers marked by DELE

    def get(self, number: int) -> MessageMeta:
        if not 1 <= number <= len(self.messages):
            raise Pop3Error("no such message")
        if number in self.deleted:
            raise Pop3Error(f"message {number} already deleted")
        return self.messages[number - 1]

    def live(self) -> Iterator[tuple[int, MessageMeta]]:
        for number, meta in enumerate(self.messages, 1):
            if number not in self.deleted:
                yield number, meta

    def stat(self) -> tuple[int, int]:
        count = octets = 0
        for _, meta in self.live():
            count += 1
            octets += meta.size
        return count, octets

    def uidl(self, meta: MessageMeta) -> str:
        return unique_id(self.uidvalidity, meta.uid)

    def deleted_uids(self) -> list[int]:
        return sorted(self.messages[n - 1].uid for n in self.deleted)


def load(tx: Any, account_id: int) -> Maildrop:
    """POP3 shows INBOX only (FEATURES.md); one read transaction for a consistent view."""
    inbox = mailboxes.get_mailbox(tx, account_id, "INBOX")
    snap = messages.snapshot(tx, inbox.id)
    return Maildrop(account_id, inbox.id, snap.mailbox.uidvalidity, snap.messages)


def commit_deletes(tx: Any, account_id: int, inbox_id: int, uids: list[int]) -> int:
    """QUIT's UPDATE state: deleted messages move to Trash, where the user can still
    find them; a message already gone (expunged over IMAP meanwhile) is skipped."""
    trash = mailboxes.get_special(tx, account_id, TRASH)
    return len(messages.move(tx, inbox_id, uids, trash.id))
