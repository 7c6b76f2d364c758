"""Idle IMAP sessions: memory per idle IDLE connection and IDLE wake-up latency, against
`postvak serve` and, where installed, an unprivileged Dovecot holding the same mail
(issue #3: under 50 KB of RSS per idle IDLE connection; IDLE wakes within 100 ms).

* --sessions TLS connections each LOGIN, SELECT INBOX (of --messages messages) and IDLE;
  server memory is read before they open and after they settle (postvak: RSS of its one
  process; Dovecot: PSS summed over its process tree, one process per session);
* then --rounds times one message is APPENDed to every user's INBOX from other connections,
  and each idle session's wake-up is timed from just before the APPENDs are sent until it
  reads its `* n EXISTS`: p50/p99/max over all sessions and rounds.

The latency includes the APPEND itself (printed per round) and the client's own work: one
asyncio process on the same (2-core) machine reading 1,000 TLS connections. Dovecot's
figure is bounded by the kernel: only fs.inotify.max_user_instances (128 by default) of
its per-session processes get inotify, the others poll every mailbox_idle_check_interval
(30 s), so most of them count as missed within the 20 s deadline. Bounded: every phase
has a deadline.

    .venv/bin/python bench/bench_imap_idle.py [--sessions 1000] [--messages 1000] [--rounds 3]
                                              [--dovecot-sessions 1000] [--no-dovecot]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_imap import (  # noqa: E402 - the shared helpers of the IMAP bench (client, server start-up, Dovecot)
    CMD_TIMEOUT,
    Client,
    dovecot,
    msg,
    p,
    rss_kb,
    start_postvak,
    tree_pss_kb,
)

SETTLE_SECONDS = 3.0  # after the last session entered IDLE: pending frees, GC, periodic trim
OPEN_PARALLEL = 25  # sessions opening at once: parallel, without a TLS handshake stampede


@dataclass
class IdleResult:
    sessions: int = 0
    failed: int = 0
    before_kb: int = 0
    after_kb: int = 0
    open_seconds: float = 0.0
    wake_ms: list[float] = field(default_factory=list)
    missed: int = 0  # sessions that saw no EXISTS within the deadline, summed over rounds

    @property
    def per_session_kb(self) -> float:
        return (self.after_kb - self.before_kb) / max(self.sessions, 1)


async def open_idle(port: int, ctx: ssl.SSLContext, user: tuple[str, str], deadline: float,
                    sem: asyncio.Semaphore) -> tuple[Client, str] | None:
    async with sem:
        if time.monotonic() > deadline:
            return None
        c = await Client.open(port, ctx)
        await c.login(*user)
        await c.cmd(b"SELECT INBOX")
        c.w.write(b"i IDLE\r\n")
        line = await asyncio.wait_for(c.r.readline(), CMD_TIMEOUT)
        if not line.startswith(b"+"):
            raise RuntimeError(f"IDLE: {line!r}")
        return c, user[0]


async def wait_exists(c: Client, t0: float, deadline: float) -> float | None:
    """Milliseconds from t0 until this session reads an EXISTS (None: not before the deadline)."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            line = await asyncio.wait_for(c.r.readline(), left)
        except TimeoutError:
            return None
        if not line:
            return None
        if line.startswith(b"* ") and line.rstrip().endswith(b" EXISTS"):
            return (time.perf_counter() - t0) * 1000


async def wake_round(idle: list[tuple[Client, str]], appenders: dict[str, Client], k: int,
                     res: IdleResult, timeout: float = 20.0) -> float:
    """One message to every user's INBOX; returns the APPENDs' own time (ms)."""
    deadline = time.monotonic() + timeout
    t0 = time.perf_counter()
    waits = [asyncio.ensure_future(wait_exists(c, t0, deadline)) for c, _ in idle]
    appends = [a.cmd(b"APPEND INBOX", msg(3 * 10**6 + 10 * k + i)) for i, a in enumerate(appenders.values())]
    await asyncio.gather(*appends)
    appended = (time.perf_counter() - t0) * 1000
    for got in await asyncio.gather(*waits):
        if got is None:
            res.missed += 1
        else:
            res.wake_ms.append(got)
    return appended


async def run(port: int, ctx: ssl.SSLContext, users: list[tuple[str, str]], n: int, rounds: int,
              measure: Callable[[], int], hold: float = 0.0, deadline_s: float = 120) -> IdleResult:
    res = IdleResult()
    for user in users:  # warm-up: each user's auth cache entry and mailbox, as a running server has them
        c = await Client.open(port, ctx)
        await c.login(*user)
        await c.cmd(b"SELECT INBOX")
        await c.cmd(b"LOGOUT")
        c.close()
    await asyncio.sleep(1.0)
    res.before_kb = measure()
    started = time.monotonic()
    sem = asyncio.Semaphore(OPEN_PARALLEL)
    results = await asyncio.gather(*(open_idle(port, ctx, users[k % len(users)], started + deadline_s, sem)
                                     for k in range(n)), return_exceptions=True)
    res.open_seconds = time.monotonic() - started
    idle = [r for r in results if isinstance(r, tuple)]
    errors = [r for r in results if isinstance(r, BaseException)]
    res.sessions, res.failed = len(idle), n - len(idle)
    if errors:
        print(f"  ({len(errors)} idle sessions failed, first: {errors[0]!r})", flush=True)
    await asyncio.sleep(SETTLE_SECONDS)
    res.after_kb = measure()
    if hold:
        print(f"  sessions idle; holding {hold:.0f} s", flush=True)
        await asyncio.sleep(hold)
    appenders: dict[str, Client] = {}
    for user in users:
        a = await Client.open(port, ctx)
        await a.login(*user)
        appenders[user[0]] = a
    for k in range(rounds):
        appended = await wake_round(idle, appenders, k, res)
        print(f"  round {k + 1}: APPENDs answered in {appended:.0f} ms", flush=True)
        await asyncio.sleep(1.0)
    for a in appenders.values():
        a.close()
    for c, _ in idle:
        c.close()
    await asyncio.sleep(0.5)
    return res


def report(name: str, res: IdleResult, unit: str) -> None:
    print(f"\n== {name}: {res.sessions} idle IDLE sessions ({res.failed} failed), opened in {res.open_seconds:.1f} s")
    print(f"  memory ({unit}) {res.before_kb} kB -> {res.after_kb} kB: {res.per_session_kb:.1f} kB per idle session")
    xs = [x / 1000 for x in res.wake_ms]  # p() takes seconds
    print(f"  IDLE wake-up after APPEND: n={len(xs)} p50={p(xs, 0.5):.1f}ms p99={p(xs, 0.99):.1f}ms "
          f"max={max(res.wake_ms, default=float('nan')):.1f}ms missed={res.missed}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=1000)
    ap.add_argument("--dovecot-sessions", type=int, default=1000)
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--users", type=int, default=4)
    ap.add_argument("--no-dovecot", action="store_true")
    ap.add_argument("--hold", type=float, default=0.0, help="seconds to keep the sessions idle after measuring "
                    "(to inspect the server; its pid is printed)")
    args = ap.parse_args()
    started = time.monotonic()
    users = [(f"idle{i}@example.test", f"idle-secret-{i}") for i in range(args.users)]
    setup = start_postvak("bench-imap-idle-", users, args.messages, max(args.sessions, args.dovecot_sessions))
    try:
        assert setup.server.proc is not None
        pid = setup.server.proc.pid
        if args.hold:
            print(f"postvak serve pid {pid}", flush=True)
        ours = asyncio.run(run(setup.server.port("imaps"), setup.ctx, users, args.sessions, args.rounds,
                               lambda: rss_kb(pid), args.hold))
        report("postvak", ours, "RSS")
    finally:
        setup.server.stop()
    theirs = None
    if not args.no_dovecot and args.dovecot_sessions:
        with dovecot(setup, users, args.messages, args.dovecot_sessions) as started_dc:
            if started_dc is not None:
                proc, port = started_dc
                theirs = asyncio.run(run(port, setup.ctx, users, args.dovecot_sessions, args.rounds,
                                         lambda: tree_pss_kb(proc.pid)))
                report("dovecot", theirs, "PSS of its process tree")
    if theirs is not None:
        print(f"\n== memory per idle IDLE session: postvak {ours.per_session_kb:.1f} kB (RSS), "
              f"dovecot {theirs.per_session_kb:.1f} kB (PSS)")
    shutil.rmtree(setup.base, ignore_errors=True)
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
