"""Background jobs of `postvak serve`: periodic tasks on the asyncio loop the reactor
runs on. A small registry: add `(name, starter)` to JOBS, where starter(ctx) starts
its work and returns an async stop function (or None when it has nothing to run).
`start_jobs` returns the shutdown hooks app.py hands to the reactor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

Stop = Callable[[], Awaitable[None]]
Starter = Callable[[Any], Stop | None]


def every(ctx: Any, name: str, seconds: float, work: Callable[[], Awaitable[Any]]) -> Stop:
    """Run `work` now and then every `seconds`; a failing run is logged, the next one runs."""

    async def loop() -> None:
        while True:
            try:
                await work()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                ctx.log.error("job.failed", job=name, error=repr(exc), exc_info=True)
            await asyncio.sleep(seconds)

    return background(ctx, name, loop())


def background(ctx: Any, name: str, coro: Awaitable[Any]) -> Stop:
    task = ctx.loop.create_task(coro, name=f"job:{name}")

    async def stop() -> None:
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):
            pass

    return stop


# -- the jobs -------------------------------------------------------------------------
def outgoing_mail(ctx: Any) -> Stop:
    """Per-domain footers and DKIM keys in memory for the submission path, which calls
    ctx.extras["dkim_sign"](sender, raw) on the reactor without the store: the footer
    is added first, then the signature covers the final bytes. Refreshed every minute,
    so `postvak domain add` / `postvak footer set` take effect within a minute."""
    from postvak.servers.smtp import dkim, footer

    signer = dkim.DkimSigner()
    footers: dict[str, str] = {}

    def finish(sender: str, raw: bytes) -> bytes:
        domain = dkim.from_domain(raw) or sender.rpartition("@")[2].lower()
        return signer.sign_for_sender(sender, footer.apply_footer(raw, footers.get(domain)))

    ctx.extras["dkim_signer"] = signer
    ctx.extras["dkim_sign"] = finish

    async def refresh() -> None:
        signer.keys = await ctx.runner.read(dkim.all_keys)
        fresh = await ctx.runner.read(footer.all_footers)
        footers.clear()
        footers.update(fresh)

    return every(ctx, "outgoing_mail", 60.0, refresh)


def outbound_queue(ctx: Any) -> Stop:
    """The queue runner (servers/smtp/outbound.py); ctx.extras["outbound_kick"]() wakes it."""
    from postvak.servers.smtp.outbound import QueueRunner

    runner = QueueRunner(ctx)
    ctx.extras["outbound_runner"] = runner
    ctx.extras["outbound_kick"] = runner.kick
    return background(ctx, "outbound", runner.run_forever())


def purge_state(ctx: Any) -> Stop:
    """Expired state entries (delay-warning marks, locks, sync keys) are removed hourly."""
    from postvak.store import state

    async def purge() -> None:
        await ctx.runner.write(state.purge_expired)

    return every(ctx, "purge_state", 3600.0, purge)


def purge_trash_spam(ctx: Any) -> Stop:
    """Trash and Spam older than the delivery.*_retention_days settings (delivery_jobs.py)."""
    from postvak.servers.core import delivery_jobs

    return delivery_jobs.start(ctx)


def fulltext_indexer(ctx: Any) -> Stop:
    """Full-text index off the delivery path: the terms are computed by a read job
    (store.search.pending_terms, a reader thread) and inserted by a short write job
    (store_terms), so deliveries' commits never queue behind tokenizing. Woken by
    committed new mail, this process's or another's (and ctx.extras["index_kick"]()),
    and every minute in case a wake-up was missed. While deliveries are in flight it yields: it waits for a
    quiet moment (at most DEFER seconds), then between full batches it rests twice
    as long as the batch took, so it uses at most a third of the time under load and
    still catches up (indexing costs far less per message than accepting it)."""
    from postvak.store import search

    batch = 200
    wake = asyncio.Event()

    def kick() -> None:
        ctx.loop.call_soon_threadsafe(wake.set)

    def on_changes(changes: list[Any]) -> None:
        if any(c.kind == "new" for c in changes):
            kick()

    def busy() -> bool:
        return getattr(getattr(ctx, "delivery", None), "in_flight", 0) > 0

    ctx.extras["index_kick"] = kick
    # Listening: new mail another process committed (the CLI, a second server on the same
    # store) is indexed within INDEX_SETTLE, not at the next minute's look.
    unsubscribe = ctx.store.changes.subscribe_all(on_changes, listen=True)

    async def drain() -> None:
        deadline = ctx.loop.time() + INDEX_DEFER
        while busy() and ctx.loop.time() < deadline:
            await asyncio.sleep(0.05)
        while True:
            started = ctx.loop.time()
            prepared = await ctx.runner.read(search.pending_terms, batch)
            if prepared:
                await ctx.runner.write(search.store_terms, prepared)
            if len(prepared) < batch:
                return
            if busy():
                await asyncio.sleep(2 * (ctx.loop.time() - started))

    async def run() -> None:
        try:
            while True:
                wake.clear()
                try:
                    await drain()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    ctx.log.error("job.failed", job="fulltext_indexer", error=repr(exc), exc_info=True)
                try:
                    await asyncio.wait_for(wake.wait(), 60.0)
                except TimeoutError:
                    pass
                # Let a burst of new mail share one run, and let the messages that live only
                # seconds (a draft autosave APPENDs the new copy and expunges the old) go
                # unindexed: search covers unindexed messages by scanning them.
                await asyncio.sleep(INDEX_SETTLE)
        finally:
            unsubscribe()

    return background(ctx, "fulltext_indexer", run())


INDEX_SETTLE = 1.0  # seconds between new mail and its indexing
INDEX_DEFER = 2.0  # seconds the indexer waits for deliveries to pause before it runs anyway


JOBS: list[tuple[str, Starter]] = [
    ("fulltext_indexer", fulltext_indexer),
    ("outgoing_mail", outgoing_mail),
    ("outbound_queue", outbound_queue),
    ("purge_state", purge_state),
    ("purge_trash_spam", purge_trash_spam),
]


def _hook(stop: Stop, defer: Any) -> Callable[[], Any]:
    return lambda: defer.Deferred.fromFuture(asyncio.ensure_future(stop()))


def start_jobs(ctx: Any) -> list[Callable[[], Any]]:
    """Start every registered job; returns reactor shutdown hooks (each returns a Deferred)."""
    from twisted.internet import defer

    hooks: list[Callable[[], Any]] = []
    for name, starter in JOBS:
        try:
            stop = starter(ctx)
        except Exception as exc:  # one broken job must not keep the mail server down
            ctx.log.error("job.start_failed", job=name, error=repr(exc), exc_info=True)
            continue
        if stop is not None:
            hooks.append(_hook(stop, defer))
        ctx.log.info("job.started", job=name)
    return hooks
