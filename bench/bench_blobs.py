"""Where a message's bytes should live: in its `blobs` row (inline, durable with the
COMMIT) or in a file of its own (temp file, fsync, rename, folder fsync before the
COMMIT). Chooses `store.blob_inline_max` by measurement, per message size.

    .venv/bin/python bench/bench_blobs.py [--count 200] [--batch 8] [--sizes 32,64,100,160,256,512,1024]

For each size, the same messages are ingested through Store.write_batch in batches of
`--batch` (the SMTP server's writer sees a handful per batch under load), once with every
blob inline and once with every blob a file, on SQLite; then each message is read back
the way IMAP FETCH reads a range (store.blobbatch.read_many). It prints wall time and CPU
time (all of this process's threads, the fsync pool included) per message, and the space
used (database + WAL + blob files). Every run is a fresh folder; the loops are bounded.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from typing import Any

from postvak.servers.cli.status import folder_size  # bytes of the files below a folder


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(size: int, inline: bool, count: int, batch: int) -> tuple[float, float, float, float, int]:
    """(wall ms, CPU ms per message ingested; wall ms, CPU ms per message read; bytes used)."""
    from postvak.store import accounts, blobbatch, mailboxes, messages, open_store

    tmp = tempfile.mkdtemp(prefix="bench-blobs-")
    try:
        store = open_store(f"sqlite:///{tmp}/mail.db", blob_backend="files", blob_dir=os.path.join(tmp, "blobs"),
                           blob_inline_max=(1 << 30) if inline else 0)
        store.migrate()
        store.write(accounts.add_domain, "bench.test")
        account = store.write(accounts.add_account, "user@bench.test", "x")
        box = store.read(mailboxes.get_mailbox, account.id, "INBOX").id
        head = b"From: a@bench.test\r\nTo: user@bench.test\r\nSubject: blob %d\r\n\r\n"
        # Random bytes (as base64 text would be): the database and the files store them as they come.
        raws = [(head % i) + os.urandom(size // 2).hex().encode()[: size] for i in range(count)]
        wall0, cpu0 = time.perf_counter(), _cpu()
        for start in range(0, count, batch):
            jobs: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = [(messages.ingest, (account.id, box, raw), {}) for raw in raws[start:start + batch]]
            for result in store.write_batch(jobs):
                if isinstance(result, Exception):
                    raise result
        wall_in, cpu_in = time.perf_counter() - wall0, _cpu() - cpu0
        shas = [row.blob_sha for row in store.read(lambda tx: list(tx.conn.exec_driver_sql(
            "SELECT blob_sha FROM messages WHERE mailbox_id = ? ORDER BY uid", (box,))))]
        if len(shas) != count:
            raise RuntimeError(f"{len(shas)} of {count} messages stored")
        wall0, cpu0 = time.perf_counter(), _cpu()
        for start in range(0, count, 20):
            got = store.read(blobbatch.read_many, shas[start:start + 20])
            if sum(map(len, got.values())) < 20 * size * 0.9 and start + 20 <= count:
                raise RuntimeError("short read")
        wall_out, cpu_out = time.perf_counter() - wall0, _cpu() - cpu0
        store.close()
        used = folder_size(tmp)
        return wall_in * 1e3 / count, cpu_in * 1e3 / count, wall_out * 1e3 / count, cpu_out * 1e3 / count, used
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="messages per size and placement")
    parser.add_argument("--batch", type=int, default=8, help="messages per write_batch")
    parser.add_argument("--sizes", default="32,64,100,160,256,512,1024", help="message sizes in KB")
    args = parser.parse_args()
    print(f"{args.count} messages per case, batches of {args.batch}; ms per message (wall / CPU)")
    print(f"{'size':>8}  {'inline ingest':>15}  {'file ingest':>15}  {'inline read':>13}  {'file read':>13}"
          f"  {'space inline/file':>17}")
    for kb in (int(s) for s in args.sizes.split(",")):
        size = kb * 1024
        # Alternate the order per size so neither placement always runs on a warmer disk.
        order = (True, False) if kb % 2 == 0 else (False, True)
        figures = {inline: run(size, inline, args.count, args.batch) for inline in order}
        i, f = figures[True], figures[False]
        print(f"{kb:6d} KB  {i[0]:6.2f} / {i[1]:5.2f}  {f[0]:6.2f} / {f[1]:5.2f}  {i[2]:5.2f} / {i[3]:5.2f}"
              f"  {f[2]:5.2f} / {f[3]:5.2f}  {i[4] / max(f[4], 1):17.2f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
