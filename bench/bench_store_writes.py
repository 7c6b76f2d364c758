"""CPU per write job in the store: what the server's one writer thread spends on each
IMAP STORE / APPEND / EXPUNGE and each SMTP delivery (all of them end in store writes).

    .venv/bin/python bench/bench_store_writes.py              # SQLite (+ PostgreSQL if POSTVAK_TEST_PG is set)
    .venv/bin/python bench/bench_store_writes.py --rounds 3 --backends sqlite

Each job runs through write_batch as servers/core/runner.py runs it (on the kept
connection of Store.writer() where the store has one), on a durable
SQLite file (WAL, synchronous=FULL) or PostgreSQL, single-threaded and in-process:
- "1/batch": one job per write_batch (a quiet server: BEGIN, SAVEPOINT, job, COMMIT);
- "8/batch": eight jobs per write_batch (a busy one: the commit is shared), per job.
Figures are the writing thread's CPU time (time.thread_time) per job in microseconds,
the best of --rounds rounds (the median job of each round), and the wall time per job.
Messages are new each time (unique Message-ID, text from the bench_ingest generator),
so the parse cache does not hide the parse; about a third are replies (threading).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from bench_ingest import Maker  # noqa: E402 - the same realistic messages as the ingest bench

from postvak.store import accounts, mailboxes, messages, open_store  # noqa: E402

Job = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def _pg_url(base: str) -> tuple[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{base}?options=-csearch_path%3D{schema}", schema


def _drop_pg(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


def _time(store: Any, jobs: list[Job], per_batch: int) -> tuple[list[float], list[float]]:
    """(CPU us per job, wall us per job), one figure per write_batch."""
    cpu, wall = [], []
    # As servers/core/runner.py does: the writer's kept connection, when the store has one.
    make_writer = getattr(store, "writer", None)
    writer = make_writer() if make_writer is not None else store
    for i in range(0, len(jobs), per_batch):
        chunk = jobs[i : i + per_batch]
        c0, w0 = time.thread_time(), time.perf_counter()
        results = writer.write_batch(chunk)
        c1, w1 = time.thread_time(), time.perf_counter()
        for r in results:
            if isinstance(r, Exception):
                raise r
        cpu.append((c1 - c0) * 1e6 / len(chunk))
        wall.append((w1 - w0) * 1e6 / len(chunk))
    if writer is not store:
        writer.close()
    return cpu, wall


class Case:
    """One store with an INBOX of `base` 4 KB messages for the flag and expunge jobs."""

    def __init__(self, url: str, base: int) -> None:
        self.tmp = tempfile.mkdtemp(prefix="pvbench-writes-")
        if url == "sqlite":
            url = f"sqlite:///{self.tmp}/bench.db"
        self.store = open_store(url, blob_backend="files", blob_dir=os.path.join(self.tmp, "blobs"))
        self.store.migrate()
        self.store.write(accounts.add_domain, "bench.test")
        self.acct = self.store.write(accounts.add_account, "user@bench.test", "x")
        self.inbox = self.store.read(mailboxes.get_mailbox, self.acct.id, "INBOX").id
        self.maker = Maker([], 7)
        self.n = 0
        self.store.write_batch([self._ingest(4096) for _ in range(base)])
        self.next_uid = 1
        self.flag_round = 0

    def _ingest(self, size: int) -> Job:
        self.n += 1
        return (messages.ingest, (self.acct.id, self.inbox, self.maker.message(self.n, size, "natural")), {})

    def ingest_jobs(self, count: int, size: int) -> list[Job]:
        return [self._ingest(size) for _ in range(count)]

    def flag_jobs(self, count: int) -> list[Job]:
        """STORE on 20 messages, alternately +FLAGS and -FLAGS (\\Seen): every message changes."""
        jobs: list[Job] = []
        for _ in range(count):
            mode = "add" if self.flag_round % 2 == 0 else "remove"
            start = 1 + (self.flag_round // 2 * 20) % 180
            self.flag_round += 1
            jobs.append((messages.set_flags, (self.inbox, range(start, start + 20), mode, ["\\Seen"]), {}))
        return jobs

    def expunge_jobs(self, count: int) -> list[Job]:
        """UID EXPUNGE of one \\Deleted message (flagged beforehand, untimed)."""
        fresh = self.store.write_batch(self.ingest_jobs(count, 4096))
        uids = [s.uid for s in fresh]
        self.store.write(messages.set_flags, self.inbox, uids, "add", ["\\Deleted"])
        return [(messages.expunge, (self.inbox, [u]), {}) for u in uids]

    def close(self) -> None:
        self.store.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def run(backend: str, url: str, count: int, rounds: int) -> None:
    case = Case(url, 200)
    try:
        builders: list[tuple[str, Callable[[int], list[Job]], int]] = [
            ("ingest 4 KB", lambda n: case.ingest_jobs(n, 4096), count),
            ("ingest 100 KB", lambda n: case.ingest_jobs(n, 102400), max(8, count // 4)),
            ("set_flags x20", case.flag_jobs, count),
            ("expunge 1", case.expunge_jobs, count),
        ]
        for name, build, n in builders:
            for per_batch in (1, 8):
                best_cpu = best_wall = float("inf")
                for _ in range(rounds):
                    jobs = build(n)
                    cpu, wall = _time(case.store, jobs, per_batch)
                    best_cpu = min(best_cpu, statistics.median(cpu))
                    best_wall = min(best_wall, statistics.median(wall))
                print(f"{backend:<11}{name:<16}{per_batch:>4}/batch{n:>7}{best_cpu:>12.0f}{best_wall:>12.0f}"
                      f"  load {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        case.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=80, help="jobs per round (100 KB ingest: a quarter)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per figure; the best is printed")
    ap.add_argument("--backends", default="sqlite,postgresql", help="which of sqlite,postgresql to run")
    args = ap.parse_args()
    backends = [b for b in ("sqlite", "postgresql") if b in args.backends.split(",")]
    pg = os.environ.get("POSTVAK_TEST_PG")
    if not pg and "postgresql" in backends:
        backends.remove("postgresql")
        print("(PostgreSQL skipped: set POSTVAK_TEST_PG)")
    print(f"{'backend':<11}{'job':<16}{'per batch':>10}{'jobs':>7}{'CPU us/job':>12}{'wall us/job':>12}")
    for backend in backends:
        if backend == "sqlite":
            run(backend, "sqlite", args.count, args.rounds)
        else:
            assert pg is not None
            url, schema = _pg_url(pg)
            try:
                run(backend, url, args.count, args.rounds)
            finally:
                _drop_pg(pg, schema)


if __name__ == "__main__":
    main()
