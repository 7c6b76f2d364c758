"""Ingest throughput: durable messages/s through Store.write_batch, as the server's
writer thread does (a producer fills a queue, the writer drains it in batches).

    .venv/bin/python bench/bench_ingest.py            # SQLite (+ PostgreSQL if POSTVAK_TEST_PG is set)
    .venv/bin/python bench/bench_ingest.py --count 500

Cases: 4 KB and 100 KB messages, into 1 mailbox and spread over 100 mailboxes.
Each case runs in a fresh child process so peak RSS is per case.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue
import random
import resource
import shutil
import tempfile
import threading
import time
import uuid

WORDS = ("invoice meeting project budget holiday contract report review deadline customer server "
         "mailbox delivery schedule office planning network storage quarterly update").split()


def make_message(i: int, size: int, rng: random.Random) -> bytes:
    head = (f"From: sender{i % 50}@remote.test\r\nTo: user@bench.test\r\nSubject: {rng.choice(WORDS)} "
            f"{rng.choice(WORDS)} {i}\r\nMessage-ID: <bench{i}.{uuid.uuid4().hex}@remote.test>\r\n"
            "Date: Fri, 28 Nov 2025 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
    body = []
    length = len(head)
    while length < size:
        line = " ".join(rng.choice(WORDS) + str(rng.randint(0, 999)) for _ in range(10)) + "\r\n"
        body.append(line)
        length += len(line)
    return (head + "".join(body)).encode()[:size]


def run_case(url: str, size: int, boxes: int, count: int, batch: int, out) -> None:
    from postvak.protocols import mime
    from postvak.store import accounts, mailboxes, messages, open_store

    if not hasattr(mime, "parse_message"):  # until protocols/mime lands: the tests' stdlib stand-in
        import sys

        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        import tests.store.helpers  # noqa: F401

    tmp = tempfile.mkdtemp(prefix="pvbench-")
    if url == "sqlite":
        url = f"sqlite:///{tmp}/bench.db"
    store = open_store(url, blob_backend="files", blob_dir=os.path.join(tmp, "blobs"))
    store.migrate()
    store.write(accounts.add_domain, "bench.test")
    acct = store.write(accounts.add_account, "user@bench.test", "x")
    box_ids = [store.read(mailboxes.get_mailbox, acct.id, "INBOX").id]
    for b in range(1, boxes):
        box_ids.append(store.write(mailboxes.create_mailbox, acct.id, f"Folder{b}").id)
    rng = random.Random(size + boxes)
    raws = [make_message(i, size, rng) for i in range(count)]
    jobs: queue.Queue = queue.Queue()
    done = threading.Event()
    errors = []

    def writer() -> None:  # the servers/core writer thread, in miniature
        while True:
            first = jobs.get()
            if first is None:
                break
            items = [first]
            while len(items) < batch:
                try:
                    nxt = jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    jobs.put(None)
                    break
                items.append(nxt)
            for r in store.write_batch(items):
                if isinstance(r, Exception):
                    errors.append(r)
        done.set()

    t = threading.Thread(target=writer)
    started = time.perf_counter()
    t.start()
    for i, raw in enumerate(raws):
        jobs.put((messages.ingest, (acct.id, box_ids[i % boxes], raw), {}))
    jobs.put(None)
    t.join()
    elapsed = time.perf_counter() - started
    store.close()
    if url.startswith("postgresql"):
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://", 1).split("?")[0]
        schema = url.rsplit("search_path%3D", 1)[-1]
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    shutil.rmtree(tmp, ignore_errors=True)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((count / elapsed, rss_mb, len(errors), repr(errors[0]) if errors else ""))


def pg_url(base: str) -> str:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{base}?options=-csearch_path%3D{schema}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=200)
    args = ap.parse_args()
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("POSTVAK_TEST_PG") else [])
    ctx = mp.get_context("spawn")
    print(f"{'backend':<11}{'size':>7}{'boxes':>7}{'count':>7}{'msg/s':>9}{'peak RSS MB':>13}{'errors':>8}")
    for backend in backends:
        for size in (4096, 102400):
            for boxes in (1, 100):
                url = "sqlite" if backend == "sqlite" else pg_url(os.environ["POSTVAK_TEST_PG"])
                out = ctx.Queue()
                p = ctx.Process(target=run_case, args=(url, size, boxes, args.count, args.batch, out))
                p.start()
                rate, rss, errs, first = out.get(timeout=900)
                p.join()
                print(f"{backend:<11}{size // 1024:>5}KB{boxes:>7}{args.count:>7}{rate:>9.0f}{rss:>13.1f}{errs:>8}",
                      flush=True)
                if first:
                    print("   first error:", first)


if __name__ == "__main__":
    main()
