"""Ingest throughput: durable messages/s through Store.write_batch, as the server's
writer thread does (a producer fills a queue, the writer drains it in batches).

    .venv/bin/python bench/bench_ingest.py            # SQLite (+ PostgreSQL if POSTVAK_TEST_PG is set)
    .venv/bin/python bench/bench_ingest.py --count 500 --only natural

Messages are realistic: bodies are natural text from the SpamAssassin ham corpus
(.cache/spam-assassin, see tests/filters/spam/corpus.py; a Zipf-distributed built-in
vocabulary when it cannot be had), with Received/Date/From/To/Subject/MIME headers,
unique Message-IDs, and about a third of them replies (In-Reply-To/References to an
earlier message), so threading does real lookups. The 100 KB case is a short text
part plus a base64 attachment, as large mail usually is.

The "random" line is the worst case, labelled as such: every word is a fresh
random token, so each message brings hundreds of new index terms.

Each case runs in a fresh child process (peak RSS is per case), with the real
postvak.protocols.mime parser.

Full-text indexing is off the delivery path (store.search.index_pending, run by the
serve job in the background): "msg/s" is ingest alone; "indexed/s" is the indexer
catching up afterwards on the same messages (batches of 500, each one durable
transaction), and "both/s" the two together: the rate the pair can sustain.
"""

from __future__ import annotations

import argparse
import base64
import multiprocessing as mp
import os
import queue
import random
import resource
import shutil
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FALLBACK = (
    "the of and to a in is that for it as was with be by on not he this are or his from at which but have an "
    "they you were her she there would their we him been has when who will no more if out so up said what its "
    "about than into them can only other time new some could these two may first then do any like my now over "
    "such our man me even most made after also did many off before must well back through years much where your "
    "way down should because each just those people how too little state good very make world still see own men "
    "work long here get both between life being under never day same another know while last might us great old "
    "year come since against go came right used take three meeting invoice project budget report review server "
    "mailbox delivery schedule office planning network storage update customer contract deadline holiday"
).split()


def corpus_texts(limit: int = 1500) -> list[str]:
    """Bodies of single-part text/plain ham messages (natural English mail text)."""
    sys.path.insert(0, ROOT)
    try:
        from tests.filters.spam import corpus

        groups = corpus.load()
    except Exception as exc:  # noqa: BLE001 - any failure: fall back, and say so
        print(f"(SpamAssassin corpus unavailable: {exc}; using the built-in Zipf vocabulary)", flush=True)
        return []
    texts = []
    for group in ("easy-ham-1", "easy-ham-2", "hard-ham-1"):
        for _name, raw in groups[group]:
            head, _, body = raw.partition(b"\n\n")
            low = head.lower()
            if b"content-type:" in low and b"text/plain" not in low or b"multipart" in low or b"base64" in low:
                continue
            text = body.decode("latin-1").replace("\r\n", "\n").strip()
            if 200 < len(text) < 20000:
                texts.append(text)
            if len(texts) >= limit:
                return texts
    return texts


class Maker:
    """Builds the benchmark's messages deterministically from a seed."""

    def __init__(self, texts: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.texts = texts
        self.ids: list[str] = []
        self.start = datetime(2025, 11, 28, 8, 0, tzinfo=UTC)
        weights = [1 / (r + 1) for r in range(len(FALLBACK))]  # Zipf: natural word frequencies
        self.fallback = (FALLBACK, weights)

    def natural(self, n: int) -> str:
        if self.texts:
            out, total = [], 0
            while total < n:
                t = self.rng.choice(self.texts)
                out.append(t)
                total += len(t) + 2
            return "\n\n".join(out)[:n]
        words, weights = self.fallback
        line, out, total = [], [], 0
        for w in self.rng.choices(words, weights, k=n // 4):
            line.append(w)
            if len(line) == 12:
                s = " ".join(line).capitalize() + "."
                out.append(s)
                total += len(s) + 1
                line = []
                if total >= n:
                    break
        return "\n".join(out)[:n]

    def random_words(self, n: int) -> str:
        chars = "abcdefghijklmnopqrstuvwxyz"
        out, total = [], 0
        while total < n:
            w = "".join(self.rng.choices(chars, k=self.rng.randint(3, 10)))
            out.append(w)
            total += len(w) + 1
        return "\n".join(" ".join(out[i : i + 10]) for i in range(0, len(out), 10))

    def message(self, i: int, size: int, kind: str) -> bytes:
        rng = self.rng
        sender = f"person{rng.randint(1, 300)}"
        domain = rng.choice(["example.com", "lists.example.org", "mail.example.net", "remote.test"])
        date = self.start + timedelta(seconds=37 * i)
        msgid = f"<{uuid.UUID(int=rng.getrandbits(128)).hex}.{i}@{domain}>"
        words = (self.natural(200) if kind != "random" else self.random_words(60)).split()
        subject_words = [w for w in words if w.isalpha()][:6]
        subject = " ".join(subject_words) or f"message {i}"
        head = [
            f"Return-Path: <{sender}@{domain}>",
            f"Received: from mx{rng.randint(1, 9)}.{domain} (mx.{domain} [192.0.2.{rng.randint(1, 254)}])\r\n"
            f"\tby mail.bench.test (Postvak) with ESMTPS id {uuid.uuid4().hex[:12]}\r\n"
            f"\tfor <user@bench.test>; {format_datetime(date)}",
            f"Received: from [10.0.0.{rng.randint(1, 254)}] by mx.{domain} with ESMTPSA; {format_datetime(date)}",
            f"Date: {format_datetime(date)}",
            f'From: "Person {sender[6:]}" <{sender}@{domain}>',
            "To: Bench User <user@bench.test>",
            f"Message-ID: {msgid}",
            "MIME-Version: 1.0",
        ]
        if self.ids and rng.random() < 0.35:  # a reply to an earlier message
            parent = rng.choice(self.ids[-200:])
            head += [f"Subject: Re: {subject}", f"In-Reply-To: {parent}", f"References: {parent}"]
        else:
            head.append(f"Subject: {subject}")
        self.ids.append(msgid)
        text = self.random_words if kind == "random" else self.natural
        if size <= 16384:
            head += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
            header = "\r\n".join(head) + "\r\n\r\n"
            body = text(max(size - len(header), 100)).replace("\n", "\r\n")
            return (header + body).encode()[:size]
        boundary = f"=_{uuid.uuid4().hex}"
        head.append(f'Content-Type: multipart/mixed; boundary="{boundary}"')
        part1 = text(3000).replace("\n", "\r\n")
        header = "\r\n".join(head) + "\r\n\r\n"
        fixed = len(header) + len(part1) + 400
        raw_len = max(size - fixed, 1000) * 3 // 4 * 76 // 78  # base64: 4/3, plus CRLF per 76 chars
        blob = base64.encodebytes(rng.randbytes(raw_len)).decode().replace("\n", "\r\n")
        return (
            f"{header}--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: 8bit\r\n\r\n{part1}\r\n--{boundary}\r\n"
            f'Content-Type: application/pdf; name="report-{i}.pdf"\r\nContent-Transfer-Encoding: base64\r\n'
            f'Content-Disposition: attachment; filename="report-{i}.pdf"\r\n\r\n{blob}--{boundary}--\r\n'
        ).encode()


def run_case(url: str, kind: str, size: int, boxes: int, count: int, batch: int, texts: list[str], out) -> None:
    sys.path.insert(0, ROOT)
    from postvak.store import accounts, mailboxes, messages, open_store, search

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
    maker = Maker(texts, size + boxes)
    raws = [maker.message(i, size, kind) for i in range(count)]
    jobs: queue.Queue = queue.Queue()
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

    profile = os.environ.get("BENCH_PROFILE")
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t = threading.Thread(target=writer)
    started = time.perf_counter()
    t.start()
    for i, raw in enumerate(raws):
        jobs.put((messages.ingest, (acct.id, box_ids[i % boxes], raw), {}))
    jobs.put(None)
    t.join()
    elapsed = time.perf_counter() - started
    if profile:
        prof.disable()
        prof.dump_stats(f"{profile}.{kind}.{size}.{boxes}")
    started = time.perf_counter()
    indexed = 0
    while (n := store.write(search.index_pending, 500)) > 0:
        indexed += n
    index_elapsed = time.perf_counter() - started
    if store.read(search.pending_count):
        errors.append(RuntimeError("indexer left messages behind"))
    store.close()
    if url.startswith("postgresql"):
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://", 1).split("?")[0]
        schema = url.rsplit("search_path%3D", 1)[-1]
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    shutil.rmtree(tmp, ignore_errors=True)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put((count / elapsed, indexed / index_elapsed, count / (elapsed + index_elapsed), rss_mb, len(errors),
             repr(errors[0]) if errors else ""))


def pg_url(base: str) -> str:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{base}?options=-csearch_path%3D{schema}"


CASES = [  # (kind, size, boxes)
    ("natural", 4096, 1), ("natural", 4096, 100), ("natural", 102400, 1), ("natural", 102400, 100),
    ("random", 4096, 1), ("random", 102400, 1),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--only", choices=["natural", "random"], help="run only this kind of message")
    ap.add_argument("--sizes", default="4,100", help="message sizes in KB, comma separated (4,100)")
    ap.add_argument("--backends", default="sqlite,postgresql", help="which of sqlite,postgresql to run")
    args = ap.parse_args()
    backends = [b for b in ("sqlite", "postgresql") if b in args.backends.split(",")]
    if not os.environ.get("POSTVAK_TEST_PG") and "postgresql" in backends:
        backends.remove("postgresql")
    sizes = {int(s) * 1024 for s in args.sizes.split(",")}
    texts = corpus_texts()
    ctx = mp.get_context("spawn")
    print(f"{'backend':<11}{'kind':<19}{'size':>7}{'boxes':>7}{'count':>7}{'msg/s':>9}{'indexed/s':>11}{'both/s':>8}"
          f"{'peak RSS MB':>13}{'errors':>8}  load {os.getloadavg()[0]:.2f}")
    for backend in backends:
        for kind, size, boxes in CASES:
            if (args.only and kind != args.only) or size not in sizes:
                continue
            url = "sqlite" if backend == "sqlite" else pg_url(os.environ["POSTVAK_TEST_PG"])
            out = ctx.Queue()
            p = ctx.Process(target=run_case, args=(url, kind, size, boxes, args.count, args.batch, texts, out))
            p.start()
            rate, index_rate, both, rss, errs, first = out.get(timeout=1800)
            p.join()
            label = kind if kind == "natural" else "random (worst)"
            print(f"{backend:<11}{label:<19}{size // 1024:>5}KB{boxes:>7}{args.count:>7}{rate:>9.0f}{index_rate:>11.0f}"
                  f"{both:>8.0f}{rss:>13.1f}{errs:>8}  load {os.getloadavg()[0]:.2f}", flush=True)
            if first:
                print("   first error:", first)


if __name__ == "__main__":
    main()
