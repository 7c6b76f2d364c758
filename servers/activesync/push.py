"""Long polls (Ping, Sync with Wait): one parked request per device, woken by the
change bus ([MS-ASCMD] 2.2.1.13: a newer Ping from the same device ends the older).

Waiters live on the reactor thread; ctx.changes delivers store changes there,
whichever process committed them. A waiter subscribes BEFORE the caller checks
for changes already pending, so a commit between check and park is never lost.
"""

from __future__ import annotations

import asyncio
from typing import Any

SUPERSEDED = None
GRACE = 0.05  # gather a burst (one delivery to many folders) into one answer


class Waiter:
    def __init__(self, push: Push, key: tuple[int, str], mailbox_ids: set[int]) -> None:
        self._push = push
        self._key = key
        self._loop = asyncio.get_running_loop()
        self.future: asyncio.Future[Any] = self._loop.create_future()
        self.changed: set[int] = set()
        self._ids = mailbox_ids
        self._unsubscribe = push.ctx.changes.subscribe(key[0], self._on_changes)

    def _on_changes(self, changes: list[Any]) -> None:
        for c in changes:
            if c.mailbox_id in self._ids and c.kind in ("new", "flags", "expunge"):
                self.changed.add(c.mailbox_id)
        if self.changed and not self.future.done():
            self._loop.call_later(GRACE, self._settle, set(self.changed))

    def _settle(self, value: Any) -> None:
        if not self.future.done():
            self.future.set_result(value)

    async def result(self, timeout: float) -> set[int] | None:
        """Changed mailbox ids (empty: timed out), or None when a newer request took over."""
        timer = self._loop.call_later(timeout, self._settle, set())
        try:
            return await self.future
        finally:
            timer.cancel()

    def close(self) -> None:
        self._unsubscribe()
        if self._push._waiting.get(self._key) is self:
            del self._push._waiting[self._key]


class Push:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self._waiting: dict[tuple[int, str], Waiter] = {}

    @classmethod
    def of(cls, ctx: Any) -> Push:
        push = ctx.extras.get("activesync_push")
        if push is None:
            push = ctx.extras["activesync_push"] = cls(ctx)
        return push

    @property
    def parked(self) -> int:
        return len(self._waiting)

    def start(self, account_id: int, device_id: str, mailbox_ids: set[int]) -> Waiter:
        """Park for this device, ending its older long poll; call close() when done."""
        key = (account_id, device_id)
        old = self._waiting.get(key)
        if old is not None:
            old._settle(SUPERSEDED)
        waiter = Waiter(self, key, mailbox_ids)
        self._waiting[key] = waiter
        return waiter
