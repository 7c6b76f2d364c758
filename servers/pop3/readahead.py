"""Read-ahead of small messages for a client that downloads its maildrop in order.

Most clients LIST, then RETR 1, 2, 3, ... Reading each blob on demand costs a
thread-pool hop and a store lookup while the client waits. Instead one hop reads a
batch of the next small messages, and the next batch is read in the background while
the current ones go out on the wire. Memory stays bounded per session (BUDGET);
large messages are never read ahead (they are streamed in chunks, see stream.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from postvak.servers.pop3.maildrop import Maildrop

SMALL = 256 * 1024  # bytes: a message this small is read whole, in one hop
BUDGET = 512 * 1024  # bytes held ahead per session
MAX_BATCH = 16  # messages per hop


def read_blobs(blobs: Any, shas: list[str]) -> list[bytes | None]:
    """Runs in the thread pool: several blobs in one hop. A blob that cannot be read
    is None; RETR of that message then reads it again and reports the error."""
    out: list[bytes | None] = []
    for sha in shas:
        try:
            out.append(blobs.read(sha))
        except Exception:  # noqa: BLE001 - reported by the on-demand read
            out.append(None)
    return out


class ReadAhead:
    def __init__(self, runner: Any, blobs: Any, drop: Maildrop) -> None:
        self._runner = runner
        self._blobs = blobs
        self._drop = drop
        self._cache: dict[int, bytes] = {}  # message number -> bytes
        self._held = 0
        self._next = 1  # first message number not yet read or scheduled
        self._task: asyncio.Task[None] | None = None
        self._task_numbers: frozenset[int] = frozenset()

    def small(self, number: int) -> bool:
        return self._drop.messages[number - 1].size < SMALL

    async def get(self, number: int) -> bytes | None:
        """The whole message if it is small (None: stream it). Raises like blobs.read."""
        if number not in self._cache and self._task is not None and number in self._task_numbers:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._task)
        data = self._cache.pop(number, None)
        if data is not None:
            self._held -= len(data)
        elif self.small(number):
            # Out of order (or the first RETR): start over from here.
            self._forget()
            self._next = number
            batch = self._plan()
            got = await self._runner.offload(read_blobs, self._blobs, [self._sha(n) for n in batch])
            self._keep(batch, got)
            data = self._cache.pop(number, None)
            if data is None:  # unreadable: read once more so the caller sees the real error
                return await self._runner.offload(self._blobs.read, self._sha(number))
            self._held -= len(data)
        else:
            self._next = max(self._next, number + 1)
            return None
        self._refill()
        return data

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._forget()

    # -- internals ----------------------------------------------------------------------
    def _sha(self, number: int) -> str:
        return self._drop.messages[number - 1].blob_sha

    def _plan(self) -> list[int]:
        """The next live small messages from self._next, within budget."""
        batch: list[int] = []
        held = self._held
        number = self._next
        total = len(self._drop.messages)
        while number <= total and len(batch) < MAX_BATCH:
            meta = self._drop.messages[number - 1]
            if number not in self._drop.deleted:
                if meta.size >= SMALL:
                    break  # the client will stream this one: read on after it
                if batch and held + meta.size > BUDGET:
                    break
                batch.append(number)
                held += meta.size
            number += 1
        self._next = number
        return batch

    def _keep(self, batch: list[int], got: list[bytes | None]) -> None:
        for number, data in zip(batch, got, strict=True):
            if data is not None:
                self._cache[number] = data
                self._held += len(data)

    def _refill(self) -> None:
        if self._task is not None and not self._task.done():
            return
        if self._held > BUDGET // 2:
            return
        batch = self._plan()
        if not batch:
            return
        self._task_numbers = frozenset(batch)
        self._task = asyncio.get_running_loop().create_task(self._fetch(batch))

    async def _fetch(self, batch: list[int]) -> None:
        try:
            got = await self._runner.offload(read_blobs, self._blobs, [self._sha(n) for n in batch])
        except Exception:  # noqa: BLE001 - runner shut down: RETR reads on demand instead
            return
        if self._task_numbers == frozenset(batch):  # still wanted (no out-of-order reset)
            self._keep(batch, got)

    def _forget(self) -> None:
        self._cache.clear()
        self._held = 0
        self._task_numbers = frozenset()
