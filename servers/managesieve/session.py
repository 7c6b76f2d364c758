"""One ManageSieve connection (RFC 5804): framing, state, one command table.

Bytes arrive in `data_received`; ONE asyncio task feeds them to the sans-IO
receiver and runs each command to completion, so pipelined commands keep their
order. Errors are raised anywhere (`SieveNo`) and mapped once in `_dispatch`.
State is a tagged union: `NotAuthenticated` (maybe mid-SASL) or `Authenticated`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from postvak.protocols import managesieve as ms
from postvak.servers.managesieve import handlers
from postvak.servers.managesieve.config import SieveConfig
from postvak.servers.managesieve.errors import SieveNo
from postvak.servers.managesieve.states import Authenticated, NotAuthenticated, State

Handler = Callable[[Any, Any], Awaitable[None]]


@dataclass(frozen=True)
class Cmd:
    handler: Handler
    states: tuple[type, ...]


ANY = (NotAuthenticated, Authenticated)
AUTH = (Authenticated,)
COMMANDS: dict[type, Cmd] = {
    ms.Capability: Cmd(handlers.handle_capability, ANY),
    ms.StartTls: Cmd(handlers.handle_starttls, (NotAuthenticated,)),
    ms.Authenticate: Cmd(handlers.handle_authenticate, (NotAuthenticated,)),
    ms.SaslResponse: Cmd(handlers.handle_sasl_response, (NotAuthenticated,)),
    ms.Logout: Cmd(handlers.handle_logout, ANY),
    ms.Noop: Cmd(handlers.handle_noop, ANY),
    ms.Unauthenticate: Cmd(handlers.handle_unauthenticate, AUTH),
    ms.HaveSpace: Cmd(handlers.handle_havespace, AUTH),
    ms.PutScript: Cmd(handlers.handle_putscript, AUTH),
    ms.ListScripts: Cmd(handlers.handle_listscripts, AUTH),
    ms.SetActive: Cmd(handlers.handle_setactive, AUTH),
    ms.GetScript: Cmd(handlers.handle_getscript, AUTH),
    ms.DeleteScript: Cmd(handlers.handle_deletescript, AUTH),
    ms.RenameScript: Cmd(handlers.handle_renamescript, AUTH),
    ms.CheckScript: Cmd(handlers.handle_checkscript, AUTH),
}


class SieveSession:
    def __init__(self, ctx: Any, config: SieveConfig) -> None:
        self.ctx = ctx
        self.config = config
        self.state: State = NotAuthenticated()
        self.receiver = ms.SieveReceiver(config.limits)
        self.failed_logins = 0
        self.io: Any = None
        self.log: Any = None
        self._inbox: list[bytes] = []
        self._wake = asyncio.Event()
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._last_input = time.monotonic()

    # -- connection events (servers/core/adapter.py) -----------------------------------
    def connection_made(self, io: Any) -> None:
        self.io = io
        self.log = io.log
        # RFC 5804 1.7: the greeting is the capability list.
        io.write(handlers.capabilities(self))
        self._task = self.ctx.loop.create_task(self._run())
        self._idle = self.ctx.loop.call_later(self.config.idle_timeout, self._check_idle)

    def data_received(self, data: bytes) -> None:
        self._last_input = time.monotonic()
        self._inbox.append(data)
        self._wake.set()

    def connection_lost(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._wake.set()
        if self._idle is not None:
            self._idle.cancel()
        if self._task is not None and not self._task.done():
            self._task.cancel()

    # -- helpers for handlers ----------------------------------------------------------
    def plaintext_allowed(self) -> bool:
        """Passwords only over TLS, except from loopback when configured (RFC 5804 2.1)."""
        return bool(self.io.is_tls or (self.io.is_loopback and self.config.plaintext_on_loopback))

    def reset_input(self) -> None:
        """After STARTTLS: drop anything pipelined before the handshake (command injection)."""
        self._inbox.clear()
        self.receiver = ms.SieveReceiver(self.config.limits)

    def close(self) -> None:
        if not self._closed:
            self.io.close()

    def account(self) -> Any:
        assert isinstance(self.state, Authenticated)
        return self.state.account

    def _check_idle(self) -> None:
        if self._closed:
            return
        left = self.config.idle_timeout - (time.monotonic() - self._last_input)
        if left > 0:
            self._idle = self.ctx.loop.call_later(left, self._check_idle)
            return
        self.io.write(ms.bye("idle for too long"))
        self.close()

    # -- the worker --------------------------------------------------------------------
    async def _run(self) -> None:
        while not self._closed:
            if not self._inbox:
                self._wake.clear()
                await self._wake.wait()
                continue
            data = b"".join(self._inbox)
            self._inbox.clear()
            receiver = self.receiver
            for command in receiver.feed(data):
                await self._dispatch(command)
                if self._closed:
                    return
                if self.receiver is not receiver:
                    # STARTTLS replaced the receiver: commands pipelined behind it came
                    # in clear and must not run inside TLS (RFC 5804 2.2, command injection).
                    break

    async def _dispatch(self, command: Any) -> None:
        try:
            if isinstance(command, ms.BadCommand):
                raise SieveNo(f"{command.keyword} {command.reason}".strip(), command.code)
            entry = COMMANDS[type(command)]
            if not isinstance(self.state, entry.states):
                if isinstance(self.state, NotAuthenticated):
                    raise SieveNo("authenticate first")
                raise SieveNo("command not valid after authentication")
            await entry.handler(self, command)
        except SieveNo as exc:
            if isinstance(self.state, NotAuthenticated) and self.state.sasl is not None:
                self.state = NotAuthenticated()
            self.io.write((ms.bye if exc.close else ms.no)(exc.text, exc.code))
            if exc.close:
                self.close()
        except asyncio.CancelledError:
            raise
        except Exception:
            self.log.error("managesieve.error", command=type(command).__name__, exc_info=True)
            self.io.write(ms.no("internal server error", ms.TRYLATER))

