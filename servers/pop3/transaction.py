"""TRANSACTION state commands (RFC 1939 5) and QUIT's UPDATE state (RFC 1939 6)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postvak.protocols.pop3 import (
    SYS_TEMP,
    Dele,
    List,
    Noop,
    Quit,
    Retr,
    Rset,
    Stat,
    Top,
    Uidl,
    multiline,
    ok,
)
from postvak.servers.pop3 import maildrop, stream
from postvak.servers.pop3.errors import Pop3Error
from postvak.servers.pop3.readahead import ReadAhead
from postvak.servers.pop3.states import Authorization, Transaction, Update
from postvak.store.errors import NotFound

if TYPE_CHECKING:
    from postvak.servers.pop3.maildrop import Maildrop
    from postvak.servers.pop3.session import Pop3Session


def _drop(s: Pop3Session) -> Maildrop:
    assert isinstance(s.state, Transaction)
    return s.state.maildrop


async def handle_noop(s: Pop3Session, cmd: Noop) -> None:
    s.io.write(ok())


async def handle_stat(s: Pop3Session, cmd: Stat) -> None:
    count, octets = _drop(s).stat()  # RFC 1939 5 STAT: deleted messages do not count
    s.io.write(ok(f"{count} {octets}"))


async def handle_list(s: Pop3Session, cmd: List) -> None:
    drop = _drop(s)
    if cmd.msg is not None:
        s.io.write(ok(f"{cmd.msg} {drop.get(cmd.msg).size}"))
        return
    count, octets = drop.stat()
    s.io.write(multiline(f"{count} messages ({octets} octets)", [f"{n} {m.size}" for n, m in drop.live()]))


async def handle_uidl(s: Pop3Session, cmd: Uidl) -> None:
    drop = _drop(s)
    if cmd.msg is not None:
        s.io.write(ok(f"{cmd.msg} {drop.uidl(drop.get(cmd.msg))}"))
        return
    s.io.write(multiline("unique-id listing follows", [f"{n} {drop.uidl(m)}" for n, m in drop.live()]))


async def _send(s: Pop3Session, number: int, top: int | None) -> None:
    drop = _drop(s)
    meta = drop.get(number)
    if s.readahead is None:
        s.readahead = ReadAhead(s.ctx.runner, s.ctx.store.blobs, drop)
    status = f"{meta.size} octets"
    try:
        data = await s.readahead.get(number)
    except (NotFound, FileNotFoundError):
        s.log.error("pop3.blob_missing", sha=meta.blob_sha)
        raise Pop3Error("message is no longer available", SYS_TEMP) from None
    if data is not None:
        s.streaming = True  # one write, but a failure after it must not add an -ERR
        try:
            await stream.send_whole(s.io, data, status=status, top=top)
        finally:
            s.streaming = False
        return
    s.streaming = True
    try:
        await stream.send_message(s.io, s.ctx.runner, s.ctx.store.blobs, meta.blob_sha, status=status, top=top)
    except (NotFound, FileNotFoundError):
        # Nothing written yet: the blob vanished (purged meanwhile); the session goes on.
        s.log.error("pop3.blob_missing", sha=meta.blob_sha)
        raise Pop3Error("message is no longer available", SYS_TEMP) from None
    finally:
        s.streaming = False


async def handle_retr(s: Pop3Session, cmd: Retr) -> None:
    await _send(s, cmd.msg, None)


async def handle_top(s: Pop3Session, cmd: Top) -> None:
    await _send(s, cmd.msg, cmd.lines)


async def handle_dele(s: Pop3Session, cmd: Dele) -> None:
    drop = _drop(s)
    drop.get(cmd.msg)  # raises for unknown or already deleted
    drop.deleted.add(cmd.msg)  # only marked; QUIT commits (RFC 1939 5 DELE)
    s.io.write(ok(f"message {cmd.msg} deleted"))


async def handle_rset(s: Pop3Session, cmd: Rset) -> None:
    drop = _drop(s)
    drop.deleted.clear()
    count, octets = drop.stat()
    s.io.write(ok(f"maildrop has {count} messages ({octets} octets)"))


async def handle_quit(s: Pop3Session, cmd: Quit) -> None:
    state = s.state
    s.state = Update()
    if isinstance(state, Authorization):
        s.io.write(ok("goodbye"))  # RFC 1939 4: QUIT before login enters no UPDATE
        s.close()
        return
    assert isinstance(state, Transaction)
    drop = state.maildrop
    uids = drop.deleted_uids()
    moved = 0
    try:
        if uids:
            # RFC 1939 6: commit the marks; a DELE moves mail to Trash (FEATURES.md).
            moved = await s.ctx.runner.write(maildrop.commit_deletes, drop.account_id, drop.mailbox_id, uids)
    except Exception:
        s.log.error("pop3.update_failed", account=drop.account_id, exc_info=True)
        await s.release_lock()
        raise Pop3Error("some deleted messages were not removed", SYS_TEMP, close=True) from None
    await s.release_lock()
    s.log.info("pop3.quit", account=state.address, moved_to_trash=moved)
    s.io.write(ok(f"goodbye ({len(uids)} messages moved to Trash)"))
    s.close()
