"""Brings the store's change notifications onto the reactor thread.

The store publishes from whichever thread committed (the writer thread, or the
PostgreSQL LISTEN thread for other processes' commits). Sessions live on the reactor
thread, so every callback is re-scheduled there with `call_soon_threadsafe`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

Callback = Callable[[list[Any]], None]


class ChangeBridge:
    def __init__(self, changes: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._changes = changes
        self._loop = loop

    def subscribe(self, account_id: int, callback: Callback) -> Callable[[], None]:
        """`callback(changes)` runs on the reactor thread; returns an unsubscribe function."""
        active = True

        def deliver(changes: list[Any]) -> None:
            if active:
                callback(changes)

        def from_any_thread(changes: list[Any]) -> None:
            if not self._loop.is_closed():
                self._loop.call_soon_threadsafe(deliver, list(changes))

        unsubscribe_store = self._changes.subscribe(account_id, from_any_thread)

        def unsubscribe() -> None:
            nonlocal active
            active = False
            unsubscribe_store()

        return unsubscribe
