"""One POP3 connection: framing, the command table, state, timers, cleanup.

Bytes arrive in ``data_received``; ONE asyncio task takes them a line at a time,
parses with the sans-IO receiver and runs each command to completion, so
pipelined commands (RFC 2449 6.6) keep their order and AUTH's continuation line
is read in SASL mode. Errors are raised anywhere and mapped once in ``_dispatch``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from postvak.protocols.pop3 import (
    SYS_TEMP,
    Auth,
    AuthResponse,
    BadCommand,
    Capa,
    Dele,
    List,
    Noop,
    Pass,
    Pop3Receiver,
    Quit,
    Retr,
    Rset,
    Stat,
    Stls,
    Top,
    Uidl,
    User,
    Utf8,
    err,
    ok,
)
from postvak.servers.pop3 import auth, lock, transaction
from postvak.servers.pop3.config import Pop3Config
from postvak.servers.pop3.errors import Pop3Error
from postvak.servers.pop3.readahead import ReadAhead
from postvak.servers.pop3.states import Authorization, State, Transaction, Update

# Pending input beyond this pauses reading (a client pipelining faster than we answer).
MAX_PENDING = 256 * 1024

Handler = Callable[["Pop3Session", Any], Awaitable[None]]


@dataclass(frozen=True)
class Cmd:
    handler: Handler
    states: tuple[type, ...]


ANY = (Authorization, Transaction)
COMMANDS: dict[type, Cmd] = {
    User: Cmd(auth.handle_user, (Authorization,)),
    Pass: Cmd(auth.handle_pass, (Authorization,)),
    Auth: Cmd(auth.handle_auth, (Authorization,)),
    AuthResponse: Cmd(auth.handle_auth_response, (Authorization,)),
    Stls: Cmd(auth.handle_stls, (Authorization,)),
    Utf8: Cmd(auth.handle_utf8, (Authorization,)),
    Capa: Cmd(auth.handle_capa, ANY),
    Quit: Cmd(transaction.handle_quit, ANY),
    Noop: Cmd(transaction.handle_noop, (Transaction,)),
    Stat: Cmd(transaction.handle_stat, (Transaction,)),
    List: Cmd(transaction.handle_list, (Transaction,)),
    Uidl: Cmd(transaction.handle_uidl, (Transaction,)),
    Retr: Cmd(transaction.handle_retr, (Transaction,)),
    Top: Cmd(transaction.handle_top, (Transaction,)),
    Dele: Cmd(transaction.handle_dele, (Transaction,)),
    Rset: Cmd(transaction.handle_rset, (Transaction,)),
}


class Pop3Session:
    def __init__(self, ctx: Any, config: Pop3Config) -> None:
        self.ctx = ctx
        self.config = config
        self.state: State = Authorization()
        self.receiver = Pop3Receiver(config.limits)
        self.failed_logins = 0
        self.io: Any = None
        self.log: Any = None
        self.lock_account: int | None = None  # account whose lock we may hold
        self.lock_token = f"{config.hostname}:{os.getpid()}:{secrets.token_hex(8)}"
        self.streaming = False  # a multi-line answer is half written: an error must close
        self.readahead: ReadAhead | None = None  # made at the first RETR/TOP
        self._buf = bytearray()
        self._wake = asyncio.Event()
        self._closed = False
        self._paused = False
        self._task: asyncio.Task[None] | None = None
        self._refresher: asyncio.Task[None] | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._last_input = time.monotonic()
        self._busy = False

    # -- connection events (called by servers/core/adapter.py) --------------------------
    def connection_made(self, io: Any) -> None:
        self.io = io
        self.log = io.log
        loop = self.ctx.loop
        # RFC 1939 4: greeting; no APOP timestamp because APOP is not offered.
        io.write(ok("POP3 server ready"))
        self._task = loop.create_task(self._run())
        self._idle = loop.call_later(self.config.idle_timeout, self._check_idle)

    def data_received(self, data: bytes) -> None:
        self._last_input = time.monotonic()
        self._buf += data
        self._wake.set()
        if len(self._buf) > MAX_PENDING and not self._paused:
            self._paused = True
            self.io.pause_reading()

    def connection_lost(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._wake.set()
        if self._idle is not None:
            self._idle.cancel()
        if self._refresher is not None:
            self._refresher.cancel()
        if self.readahead is not None:
            self.readahead.close()
        task = self._task
        if task is not None and not task.done():
            task.cancel()
        # A dropped connection commits nothing (RFC 1939 6): only the lock goes.
        self.ctx.loop.create_task(self._cleanup(task))

    async def _cleanup(self, task: asyncio.Task[None] | None) -> None:
        if task is not None:
            try:
                await task
            except BaseException:  # noqa: BLE001 - the worker's end is not our concern here
                pass
        await self.release_lock()

    # -- the worker ------------------------------------------------------------------------
    async def _next_line(self) -> bytes | None:
        while not self._closed:
            end = self._buf.find(b"\n")
            if end >= 0:
                line = bytes(self._buf[: end + 1])
                del self._buf[: end + 1]
            elif len(self._buf) > self.config.limits.max_auth_line + 2:
                # No end in sight: let the receiver refuse it and skip to the next LF.
                line = bytes(self._buf)
                self._buf.clear()
            else:
                self._wake.clear()
                await self._wake.wait()
                continue
            if self._paused and len(self._buf) < MAX_PENDING // 2:
                self._paused = False
                self.io.resume_reading()
            return line
        return None

    async def _run(self) -> None:
        while not self._closed:
            line = await self._next_line()
            if line is None:
                return
            for command in self.receiver.feed(line):
                self._busy = True  # a long RETR or login is not idleness
                try:
                    await self._dispatch(command)
                finally:
                    self._busy = False
                    self._last_input = time.monotonic()
                if self._closed:
                    return

    async def _dispatch(self, command: Any) -> None:
        try:
            if isinstance(command, BadCommand):
                await self._bad(command)
                return
            entry = COMMANDS[type(command)]
            if not isinstance(self.state, entry.states):
                raise Pop3Error("command not valid in this state")
            await entry.handler(self, command)
        except Pop3Error as exc:
            self.streaming = False
            self.io.write(err(exc.text, exc.code))
            if exc.close:
                self.close()
        except asyncio.CancelledError:
            raise
        except Exception:
            self.log.error("pop3.error", command=type(command).__name__, exc_info=True)
            if self.streaming:
                self.close()  # half a message is on the wire: the reply cannot be repaired
            else:
                self.io.write(err("internal server error", SYS_TEMP))

    async def _bad(self, command: BadCommand) -> None:
        if isinstance(self.state, Authorization) and self.state.sasl is not None:
            self.state = Authorization()  # an unreadable SASL answer ends the exchange
        raise Pop3Error(f"{command.keyword} {command.reason}".strip())

    # -- helpers for handlers --------------------------------------------------------------
    def plaintext_allowed(self) -> bool:
        """RFC 2595 / RFC 8314: passwords only over TLS, except from loopback if configured."""
        return bool(self.io.is_tls or (self.io.is_loopback and self.config.plaintext_on_loopback))

    def reset_input(self) -> None:
        """After STLS: drop anything sent before the handshake (RFC 2595 4, command injection)."""
        self._buf.clear()
        self.receiver = Pop3Receiver(self.config.limits)

    def close(self) -> None:
        self.io.close()

    def start_lock_refresh(self, account_id: int) -> None:
        self._refresher = self.ctx.loop.create_task(self._refresh_lock(account_id))

    async def _refresh_lock(self, account_id: int) -> None:
        while not self._closed:
            await asyncio.sleep(self.config.lock_ttl / 3)
            try:
                await self.ctx.runner.write(lock.refresh, account_id, self.lock_token, self.config.lock_ttl)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.log.warning("pop3.lock_refresh_failed", exc_info=True)

    async def release_lock(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
        account_id, self.lock_account = self.lock_account, None
        if account_id is None:
            return
        try:
            await self.ctx.runner.write(lock.release, account_id, self.lock_token)
        except Exception:  # expiry frees it anyway
            self.log.warning("pop3.lock_release_failed", exc_info=True)

    def _check_idle(self) -> None:
        if self._closed:
            return
        idle_for = time.monotonic() - self._last_input
        if idle_for >= self.config.idle_timeout and not self._busy:
            # RFC 1939 3: autologout closes WITHOUT entering UPDATE: nothing is deleted.
            self.io.write(err("idle for too long, closing"))
            self.state = Update()
            self.close()
            return
        # Check again exactly when the timeout would run out (a floor here would let a
        # client idle up to floor seconds too long); while busy, a whole period later.
        wait = self.config.idle_timeout if self._busy else max(self.config.idle_timeout - idle_for, 0.01)
        self._idle = self.ctx.loop.call_later(wait, self._check_idle)
