"""IDLE wake-up after one delivery (issue #3: "IDLE wakes within 100 ms of a delivery
committed by any process"), timed from the commit, not from a burst of APPENDs:

* `other process`: a second Python process holding its own store connection (as a
  `postvak` CLI command or a second server would) commits one message with
  `messages.ingest`; the time runs from just after its commit returned until each watching
  session reads `* n EXISTS`. On SQLite, the embedded default measured here, the serving
  process hears other processes through the change log it polls (store/sqlite_listen.py);
* `smtp`: one message over SMTP (port 25, as from the internet) through the whole
  delivery pipeline (antispam, Sieve); the time runs from the `250` after DATA, which
  the server sends only once the message is committed (so a session may read its EXISTS
  before the client has read the 250: a time at or just under zero).

--watchers sessions of the receiving user and --background idle IDLE sessions of other
users stay open throughout, as on a server with many idle clients. Rounds are spaced by a
random 150-350 ms so they fall at every phase of the polling. CLOCK_MONOTONIC is
system-wide on Linux, so the two processes' times compare. Bounded: --rounds per kind, a
deadline on every wait.

    .venv/bin/python bench/bench_idle_wakeup.py [--rounds 30] [--watchers 5] [--background 200]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import smtplib
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_imap import CMD_TIMEOUT, Client, msg, p, start_postvak  # noqa: E402 - the IMAP bench's shared helpers
from bench_imap_idle import open_idle, wait_exists  # noqa: E402

WAIT_S = 5.0  # a wake-up later than this counts as missed

# Run in the second process: one commit per line read on stdin, the commit's monotonic time printed back.
COMMITTER = r"""
import sys, time
from postvak.config.loader import load_settings
from postvak.store import accounts, mailboxes, messages, open_store
config, user = sys.argv[1:3]
s = load_settings(config).store
store = open_store(s.url, blob_backend=s.blob_backend, blob_dir=s.blob_dir, blob_inline_max=s.blob_inline_max)
acct = store.read(accounts.get_account, user)
box = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
print("ready", flush=True)
for line in sys.stdin:
    raw = (b"From: <far@remote.test>\r\nTo: <%s>\r\nSubject: other process %s\r\n"
           b"Message-ID: <%s@other>\r\n\r\nbody\r\n") % (user.encode(), line.strip().encode(), line.strip().encode())
    store.write(messages.ingest, acct.id, box.id, raw)
    print(repr(time.monotonic()), flush=True)
store.close()
"""


async def rounds(kind: str, watchers: list[Client], commit_one, n: int) -> tuple[list[float], int]:  # noqa: ANN001
    """n deliveries, each timed from its commit until every watcher has its EXISTS."""
    wake_ms: list[float] = []
    missed = 0
    for k in range(n):
        await asyncio.sleep(random.uniform(0.15, 0.35))
        deadline = time.monotonic() + WAIT_S
        # t0 = 0: wait_exists gives the perf_counter time of the EXISTS, in ms; on Linux that
        # is CLOCK_MONOTONIC, the clock the committing process reads too.
        waits = [asyncio.ensure_future(wait_exists(c, 0.0, deadline)) for c in watchers]
        committed_ms = 1000 * await commit_one(k)
        for seen_ms in await asyncio.gather(*waits):
            if seen_ms is None:
                missed += 1
            else:
                wake_ms.append(seen_ms - committed_ms)
    xs = [x / 1000 for x in wake_ms]  # p() takes seconds
    print(f"  {kind}: n={len(xs)} p50={p(xs, 0.5):.1f}ms p99={p(xs, 0.99):.1f}ms "
          f"max={max(wake_ms, default=float('nan')):.1f}ms missed={missed}", flush=True)
    return wake_ms, missed


async def run(args: argparse.Namespace) -> None:
    users = [(f"wake{i}@example.test", f"wake-secret-{i}") for i in range(4)]
    setup = start_postvak("bench-idle-wakeup-", users, 100, args.watchers + args.background + 20)
    server = setup.server
    committer = None
    try:
        target, _ = users[0]
        sem = asyncio.Semaphore(25)
        far = time.monotonic() + 120
        background = await asyncio.gather(*(open_idle(server.port("imaps"), setup.ctx, users[1 + k % 3], far, sem)
                                            for k in range(args.background)))
        watching = await asyncio.gather(*(open_idle(server.port("imaps"), setup.ctx, users[0], far, sem)
                                          for _ in range(args.watchers)))
        watchers = [c for c, _ in watching if c is not None]
        print(f"{len(watchers)} watching sessions of {target}, {len(background)} other idle sessions", flush=True)
        await asyncio.sleep(1.0)

        committer = subprocess.Popen([sys.executable, "-c", COMMITTER, str(server.config), target],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        assert committer.stdin is not None and committer.stdout is not None
        if committer.stdout.readline().strip() != "ready":
            raise RuntimeError("the committing process did not start")

        async def commit_elsewhere(k: int) -> float:
            committer.stdin.write(f"{k}\n")
            line = await asyncio.wait_for(asyncio.to_thread(committer.stdout.readline), CMD_TIMEOUT)
            return float(line)

        def send_smtp(k: int) -> float:
            with smtplib.SMTP("127.0.0.1", server.port("smtp"), timeout=CMD_TIMEOUT) as smtp:
                smtp.sendmail("far@remote.test", [target], msg(9 * 10**6 + k))
                return time.monotonic()  # sendmail returned: the 250 after DATA arrived

        async def commit_by_smtp(k: int) -> float:
            return await asyncio.to_thread(send_smtp, k)

        print("\n== IDLE wake-up after one committed delivery (SQLite store, the embedded default)")
        await rounds("other process", watchers, commit_elsewhere, args.rounds)
        await rounds("smtp (250 after DATA)", watchers, commit_by_smtp, args.rounds)
        for c in watchers + [c for c, _ in background if c is not None]:
            c.close()
    finally:
        if committer is not None:
            if committer.stdin is not None:
                committer.stdin.close()
            committer.wait(10)
        server.stop()
        shutil.rmtree(setup.base, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--watchers", type=int, default=5)
    ap.add_argument("--background", type=int, default=200)
    args = ap.parse_args()
    started = time.monotonic()
    asyncio.run(run(args))
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
