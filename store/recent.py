"""\\Recent for IMAP4rev1 (RFC 3501 2.3.2), kept in the store.

A message is \\Recent in the one session that is first told about it. Each mailbox row
keeps ``recent_uid``: the highest UID some session has already claimed (Dovecot keeps
a "first recent UID" per mailbox the same way). UIDs only grow, so "new here" is simply
``uid > recent_uid``; that holds for delivered, appended, copied and moved messages
alike (each gets a new UID in its mailbox).

``claim`` moves the mark forward under the row lock, so of sessions in any number of
processes exactly one gets each message. Callers run it on the writer only when the
row they read shows something to claim; nothing else reads or writes the column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select, update

from postvak.store import schema
from postvak.store.errors import NotFound
from postvak.store.util import Prepared

MB = schema.mailboxes
M = schema.messages
# Run by every IMAP4rev1 SELECT and APPEND that finds new messages (util.Prepared).
# FOR UPDATE: on PostgreSQL a second claimer waits here and then reads the mark the
# first one set. SQLite writers hold the database lock from BEGIN IMMEDIATE on.
_MARK = Prepared(select(MB.c.recent_uid).where(MB.c.id == bindparam("id")).with_for_update())
_ADVANCE = Prepared(
    update(MB).where(MB.c.id == bindparam("id"), MB.c.recent_uid < bindparam("top")).values(recent_uid=bindparam("new"))
)


def claim(tx: Any, mailbox_id: int, top: int) -> tuple[int, int] | None:
    """Take the UIDs in ``(low, top]`` for the caller and return ``(low, top)``; None when
    other sessions hold everything up to ``top`` already. No change record: \\Recent is
    nobody else's business, and a notification would wake every session on the mailbox."""
    low = _MARK.scalar(tx, {"id": mailbox_id})
    if low is None:
        raise NotFound(f"no mailbox {mailbox_id}")
    if low >= top:
        return None
    done = _ADVANCE.execute(tx, {"id": mailbox_id, "top": top, "new": top})
    return (int(low), top) if done else None


def unclaimed(tx: Any, mailbox_id: int) -> int:
    """How many messages no session has claimed yet: STATUS RECENT (RFC 3501 6.3.10)."""
    mark = select(MB.c.recent_uid).where(MB.c.id == mailbox_id).scalar_subquery()
    return int(tx.conn.execute(
        select(func.count()).select_from(M).where(M.c.mailbox_id == mailbox_id, M.c.uid > mark)
    ).scalar_one())
