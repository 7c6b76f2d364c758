"""One IMAP connection: state as a tagged union, one command table, one worker task.

Bytes are framed and parsed by ``protocols.imap.Receiver`` as they arrive; complete
commands go to a queue that ONE asyncio task works through, so pipelined commands
are answered in order. Handlers live in ``commands/`` (one module per family) and
raise ``No`` / ``Bad`` anywhere; ``_run`` maps them once, and an unexpected
exception becomes ``NO [SERVERBUG]`` plus a log line, the connection lives on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from postvak.protocols.imap import (
    BadCommand,
    Command,
    ContinuationLine,
    Done,
    Event,
    LiteralTooBig,
    NeedLiteral,
    Receiver,
    codes,
)
from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap.limits import PREAUTH_LIMITS, Limits
from postvak.servers.imap.errors import ANSWERED, Bad, Bye, ImapError, No, from_store
from postvak.servers.imap.mailbox_cache import cache_of
from postvak.servers.imap.recent import on_sync as recent_on_sync
from postvak.servers.imap.selected import SelectedView, sync_read
from postvak.store.errors import NotFound, StoreError
from postvak.store.types import Account


# --- states (STYLE.md habit 3: the selected mailbox exists only inside Selected) ----------
@dataclass(frozen=True)
class NotAuthenticated:
    pass


@dataclass(frozen=True)
class Authenticated:
    account: Account


@dataclass(frozen=True)
class Selected:
    account: Account
    view: SelectedView


@dataclass(frozen=True)
class Logout:
    pass


State = NotAuthenticated | Authenticated | Selected | Logout

ANY = (NotAuthenticated, Authenticated, Selected)
NOT_AUTH = (NotAuthenticated,)
AUTH = (Authenticated, Selected)
SELECTED = (Selected,)

# Command flags
NO_EXPUNGE = 1  # RFC 3501 7.4.1: FETCH, STORE, SEARCH (not their UID forms) must not send EXPUNGE
NO_SYNC = 2  # answered without looking for mailbox changes (CAPABILITY, LOGOUT, STARTTLS ...)

Handler = Callable[["ImapSession", str, Any], Awaitable["str | tuple[str, codes.Code | None] | None"]]


@dataclass(frozen=True)
class Cmd:
    handler: Handler
    states: tuple[type, ...]
    flags: int = 0


class _Inbox:
    """Events waiting for the session's worker: a list and, while the worker waits, one
    future with its timer. asyncio.Queue (three deques and an Event) and wait_for (a task
    per wait) cost several KB per connection, and servers hold thousands (issue #3)."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Event | None] = []  # a few pipelined commands at most, usually none
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Event | None) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def clear(self) -> None:
        self._items.clear()

    def take_early_line(self) -> bytes | None:
        """The next event's line when it is a one-line BadCommand (see line_future), taken."""
        first = self._items[0] if self._items else None
        if isinstance(first, BadCommand) and first.line is not None:
            del self._items[0]
            return first.line
        return None

    def empty(self) -> bool:
        return not self._items

    async def get(self, timeout: float) -> Event | None:
        """The next event; TimeoutError when none comes within ``timeout`` seconds."""
        while not self._items:
            loop = asyncio.get_running_loop()
            self._waiter = waiter = loop.create_future()
            timer = loop.call_later(timeout, _expire, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None
        return self._items.pop(0)


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class ImapSession:
    def __init__(self, ctx: Any, *, starttls: bool, limits: Limits | None = None,
                 preauth_limits: Limits = PREAUTH_LIMITS) -> None:
        from postvak.servers.imap.commands.table import COMMANDS

        self.ctx = ctx
        self.commands = COMMANDS
        self.starttls_offered = starttls
        self.auth_limits = limits or Limits()
        self.receiver = Receiver(preauth_limits)
        self.state: State = NotAuthenticated()
        self.enabled: set[str] = set()
        self.io: Any = None
        self.failed_logins = 0
        self.max_failed_logins = 3
        self._queue = _Inbox()
        self._task: asyncio.Task[None] | None = None
        self._waiter: asyncio.Future[Event] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        # IDLE waits on it, change notifications resolve it; a bare future made only while
        # waiting, not an Event per session (issue #3: memory per idle session)
        self._wake: asyncio.Future[bool] | None = None
        self._recent_cmds: list[float] = []
        self._last_activity = time.monotonic()
        self.closed = False

    # --- properties handlers use ---------------------------------------------------
    @property
    def log(self) -> Any:
        return self.io.log

    @property
    def utf8(self) -> bool:
        return "UTF8=ACCEPT" in self.enabled or "IMAP4REV2" in self.enabled

    @property
    def rev2(self) -> bool:
        return "IMAP4REV2" in self.enabled

    @property
    def qresync(self) -> bool:
        return "QRESYNC" in self.enabled

    @property
    def condstore(self) -> bool:
        return "CONDSTORE" in self.enabled or "QRESYNC" in self.enabled

    @property
    def secure(self) -> bool:
        """Plaintext passwords allowed: TLS, or loopback when the setting allows it."""
        if self.io.is_tls:
            return True
        auth = getattr(self.ctx.settings, "auth", None)
        return bool(self.io.is_loopback and getattr(auth, "plaintext_on_loopback", True))

    @property
    def account(self) -> Account:
        state = self.state
        if isinstance(state, (Authenticated, Selected)):
            return state.account
        raise Bad("not authenticated")

    @property
    def view(self) -> SelectedView:
        state = self.state
        if isinstance(state, Selected):
            return state.view
        raise Bad("no mailbox selected")

    def write(self, data: bytes) -> None:
        self.io.write(data)

    # --- connection events ---------------------------------------------------------
    def connection_made(self, io: Any) -> None:
        from postvak.servers.imap.commands.auth import capabilities

        self.io = io
        # Writes are held and pushed once per reply (adapter.SessionIO.hold): whenever the
        # session is about to wait for the client, it pushes first.
        io.hold()
        caps = capabilities(self)
        io.write(fmt.untagged("OK", "Postvak IMAP4 ready", codes.capability(caps)))
        io.push()
        self._task = asyncio.ensure_future(self._worker())

    def data_received(self, data: bytes) -> None:
        self._last_activity = time.monotonic()
        for event in self.receiver.feed(data):
            if isinstance(event, NeedLiteral):
                # RFC 9051 7.5: the client waits for this before sending the literal octets.
                self.io.write(fmt.continuation("Ready for literal"))
                self.io.push()
                continue
            if isinstance(event, (Done, ContinuationLine)) or (
                self._waiter is not None and isinstance(event, BadCommand) and event.tag is None
            ):
                if self._waiter is not None and not self._waiter.done():
                    self._waiter.set_result(event)
                    self._waiter = None
                    continue
            self._queue.put_nowait(event)

    def connection_lost(self) -> None:
        self.closed = True
        self.release_mailbox()
        self.state = Logout()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._waiter is not None and not self._waiter.done():
            self._waiter.cancel()
        self._queue.put_nowait(None)
        self._wake_up(True)

    def close(self) -> None:
        self.closed = True
        self.io.close()

    async def next_line(self) -> Event:
        """The client's next continuation line (AUTHENTICATE) or DONE (IDLE)."""
        return await self.line_future()

    def line_future(self) -> asyncio.Future[Event]:
        """``next_line`` as a future, for IDLE to wait on together with changes. A line the
        client sent before this continuation request (pipelined after IDLE or AUTHENTICATE)
        was read as a command and waits in the queue: it is the answer, read as one."""
        self.io.push()  # the continuation request the client answers
        future: asyncio.Future[Event] = asyncio.get_running_loop().create_future()
        early = self._queue.take_early_line()
        if early is not None:
            future.set_result(self.receiver.expected_event(early))
            return future
        self._waiter = future
        return future

    def discard_pipelined(self) -> None:
        """STARTTLS: anything the client sent after it in the clear must be ignored (RFC 9051 6.2.1)."""
        self._queue.clear()
        self.receiver = Receiver(self.receiver.limits, utf8=self.receiver.utf8)

    # --- login and selection (called by handlers) ------------------------------------
    def logged_in(self, account: Account) -> None:
        self.state = Authenticated(account)
        self.receiver.limits = self.auth_limits
        self._unsubscribe = self.ctx.changes.subscribe(account.id, self._on_changes)
        self.log.info("imap.login", account=account.address)

    def select(self, view: SelectedView) -> None:
        self.release_mailbox()
        self.state = Selected(self.account, view)
        cache_of(self.ctx).hold(view.mailbox_id)  # the shared state lives while a session selects it

    def unselect(self) -> None:
        self.release_mailbox()
        self.state = Authenticated(self.account)

    def release_mailbox(self) -> None:
        """Let go of the shared mailbox state (mailbox_cache.py) when leaving Selected."""
        state = self.state
        if isinstance(state, Selected):
            cache_of(self.ctx).release(state.view.mailbox_id)

    def _on_changes(self, changes: list[Any]) -> None:
        state = self.state
        if isinstance(state, Selected):
            view = state.view
            mine = [c for c in changes if c.mailbox_id == view.mailbox_id]
            if mine:
                view.note_changes(mine)
                for c in mine:
                    if c.modseq is None:
                        view.full_sync = True  # renamed, deleted, ACL: not a message change
                    elif c.modseq > view.want_modseq:
                        view.want_modseq = c.modseq
                view.stale = True
                self._wake_up(True)

    async def sync(self, allow_expunge: bool = True) -> None:
        """Send what changed in the selected mailbox (see selected.py)."""
        state = self.state
        if not isinstance(state, Selected):
            return
        view = state.view
        quiet = not view.stale and not (allow_expunge and view.pending_expunge)
        # settle_own: only this session's own STORE / EXPUNGE happened, the view shows them already
        if quiet or view.settle_own():
            if not view.shared and not view.pending_expunge:
                # another session's read may have brought the shared state to this version (memory)
                lent = cache_of(self.ctx).lend(view.mailbox_id, view.mailbox.uidvalidity, view.known_modseq)
                if lent is not None:
                    view.share(*lent)
            return
        try:
            got = None
            if not view.full_sync:
                # Sessions on one mailbox share one store read per burst of changes (mailbox_cache.py).
                got = await cache_of(self.ctx).since(view.mailbox_id, view.known_modseq, view.want_modseq)
            if got is None:
                view.full_sync = False
                got = await self.ctx.runner.read(sync_read, view.mailbox_id, view.known_modseq)
            mailbox, changed, gone = got
            recent = await recent_on_sync(self.ctx, view, mailbox, changed, self.rev2)  # claims before telling
        except NotFound:
            view.gone = True
            view.stale = False
            return
        for line in view.apply(mailbox, changed, gone, allow_expunge=allow_expunge, qresync=self.qresync,
                               condstore=self.condstore, rev2=self.rev2, recent=recent):
            self.write(line)
        if not view.pending_expunge:
            # Now at exactly a version of the mailbox: point at the shared state's containers
            # when it holds that version, dropping this view's own copy (issue #3: memory).
            lent = cache_of(self.ctx).lend(view.mailbox_id, view.mailbox.uidvalidity, view.known_modseq)
            if lent is not None:
                view.share(*lent)

    async def wait_for_changes(self, timeout: float, until: asyncio.Future[Any] | None = None) -> bool:
        """True when the selected mailbox changed (no wake-up is lost: ``stale`` is checked first);
        False after ``timeout`` seconds or once ``until`` is done. One future and one timer, no
        task: IDLE sessions wait here, a thousand at a time."""
        self.io.push()
        state = self.state
        if isinstance(state, Selected) and state.view.stale:
            return True
        if until is not None and until.done():
            return False
        loop = asyncio.get_running_loop()
        self._wake = wake = loop.create_future()
        timer = loop.call_later(timeout, self._wake_up, False)
        if until is not None:
            until.add_done_callback(self._until_done)
        try:
            return await wake
        finally:
            timer.cancel()
            self._wake = None
            if until is not None:
                until.remove_done_callback(self._until_done)

    def _until_done(self, _: asyncio.Future[Any]) -> None:
        self._wake_up(False)

    def _wake_up(self, changed: bool) -> None:
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(changed)

    # --- the worker --------------------------------------------------------------------
    async def _worker(self) -> None:
        while True:
            if self._queue.empty():  # pipelined commands' replies go out together
                self.io.push()
            try:
                event = await self._queue.get(self._inactivity_timeout())
            except TimeoutError:
                # RFC 9051 5.4: autologout after inactivity (login_timeout before login).
                self.write(fmt.untagged("BYE", "autologout: idle for too long"))
                self.close()
                return
            if event is None or self.closed:
                return
            try:
                await self._throttle()
                await self._handle(event)
            except Bye as bye:
                self.write(fmt.untagged("BYE", bye.text))
                self.close()
                return
            except Exception:  # a bug in the loop itself: log it and keep serving
                self.log.error("imap.worker_error", exc_info=True)
            if isinstance(self.state, Logout):
                self.close()
                return

    def _inactivity_timeout(self) -> float:
        imap = getattr(self.ctx.settings, "imap", None)
        if isinstance(self.state, NotAuthenticated):
            return float(getattr(imap, "login_timeout", 60) or 60)
        return float(getattr(imap, "idle_timeout", 1800) or 1800)

    async def _throttle(self) -> None:
        """Commands per second before login (slows down scanners), a setting."""
        if not isinstance(self.state, NotAuthenticated):
            return
        limits = getattr(self.ctx.settings, "limits", None)
        rate = int(getattr(limits, "commands_per_second_unauth", 10) or 0)
        if rate <= 0:
            return
        now = time.monotonic()
        self._recent_cmds = [t for t in self._recent_cmds if now - t < 1.0]
        if len(self._recent_cmds) >= rate:
            await asyncio.sleep(1.0 - (now - self._recent_cmds[0]))
        self._recent_cmds.append(time.monotonic())

    async def _handle(self, event: Event) -> None:
        if isinstance(event, BadCommand):
            code = codes.Code(event.code) if event.code else None
            if isinstance(event, LiteralTooBig) and event.code == "TOOBIG":
                code = codes.TOOBIG
            if event.code == "BADCHARSET" and event.tag is not None:
                # RFC 9051 6.4.4: an unknown charset is NO [BADCHARSET (...)], not BAD.
                from postvak.protocols.imap.search import CHARSETS

                self.write(fmt.tagged(event.tag, "NO", event.reason, codes.badcharset(sorted(CHARSETS))))
            elif event.tag is None:
                self.write(fmt.untagged("BAD", event.reason, code))
            else:
                self.write(fmt.tagged(event.tag, "BAD", event.reason, code))
            return
        if isinstance(event, (Done, ContinuationLine)):
            self.write(fmt.untagged("BAD", "unexpected continuation"))
            return
        assert isinstance(event, Command)
        await self._run(event)

    async def _run(self, command: Command) -> None:
        tag, name = command.tag, command.name
        spec = self.commands.get(name)
        if spec is None:
            self.write(fmt.tagged(tag, "BAD", f"{name} is not supported"))
            return
        full = f"UID {name}" if command.uid else name
        if not isinstance(self.state, spec.states):
            why = "log in first" if isinstance(self.state, NotAuthenticated) else "select a mailbox first"
            if isinstance(self.state, (Authenticated, Selected)) and spec.states == NOT_AUTH:
                why = "already authenticated"
            self.write(fmt.tagged(tag, "BAD", f"{full} not allowed now: {why}"))
            return
        allow_expunge = not (spec.flags & NO_EXPUNGE and not command.uid)
        try:
            result = await spec.handler(self, tag, command.args)
        except ImapError as exc:
            await self._sync_quietly(allow_expunge, spec)
            self.write(fmt.tagged(tag, exc.status, exc.text, exc.code))
            return
        except StoreError as exc:
            err = from_store(exc)
            await self._sync_quietly(allow_expunge, spec)
            self.write(fmt.tagged(tag, "NO", err.text, err.code))
            return
        except (Bye, asyncio.CancelledError):
            raise
        except Exception as exc:
            self.log.error("imap.command_failed", command=full, error=repr(exc), exc_info=True)
            self.write(fmt.tagged(tag, "NO", "internal server error, logged", codes.SERVERBUG))
            return
        if self.closed or result == ANSWERED:
            return
        await self._sync_quietly(allow_expunge, spec)
        if isinstance(result, tuple):
            text, code = result
        else:
            text, code = (result or f"{full} completed"), None
        self.write(fmt.tagged(tag, "OK", text, code))

    async def _sync_quietly(self, allow_expunge: bool, spec: Cmd) -> None:
        if spec.flags & NO_SYNC or self.closed:
            return
        try:
            await self.sync(allow_expunge)
        except Exception:
            self.log.error("imap.sync_failed", exc_info=True)


def plain_error(text: str) -> No:
    return No(text)
