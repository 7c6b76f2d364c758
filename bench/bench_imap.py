"""IMAP load driver: N clients over TLS (login, select, fetch headers, fetch bodies,
store flags, append, expunge, logout) -> ops/s and p50/p99 per command; memory per
idle IDLE connection (server RSS before/after); FETCH of 1,000 envelopes. The same
driver runs against Dovecot when installed, printing postvak/dovecot ratios.
Bounded: every phase has a deadline; the whole run stays under 3 minutes.

    .venv/bin/python -m postvak.bench.bench_imap   (or: python bench/bench_imap.py)
    options: --clients 20 --rounds 5 --idle 1000 --no-dovecot
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support (the server harness)

MSG = (b"From: bench@remote.test\r\nTo: user@example.test\r\nSubject: bench message\r\n"
       b"Date: Fri, 28 Nov 2025 10:00:00 +0000\r\nMessage-ID: <%d@bench>\r\n\r\n" + b"hello world line\r\n" * 100)


class Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.r, self.w, self.n = reader, writer, 0

    @classmethod
    async def open(cls, port: int, ctx: ssl.SSLContext) -> Client:
        r, w = await asyncio.open_connection("127.0.0.1", port, ssl=ctx, limit=1 << 22)
        c = cls(r, w)
        await r.readline()  # greeting
        return c

    async def cmd(self, text: bytes, literal: bytes | None = None) -> list[bytes]:
        self.n += 1
        tag = b"b%d" % self.n
        if literal is None:
            self.w.write(tag + b" " + text + b"\r\n")
        else:
            self.w.write(tag + b" " + text + b" {%d}\r\n" % len(literal))
            await self.w.drain()
            line = await self.r.readline()
            if not line.startswith(b"+"):
                raise RuntimeError(line)
            self.w.write(literal + b"\r\n")
        await self.w.drain()
        out = []
        while True:
            line = await self.r.readline()
            if not line:
                raise RuntimeError("connection closed")
            if line.rstrip().endswith(b"}"):  # a literal follows
                size = int(line.rstrip()[line.rstrip().rindex(b"{") + 1 : -1].rstrip(b"+"))
                line += await self.r.readexactly(size)
            out.append(line)
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(line)
                return out

    def close(self) -> None:
        self.w.close()


async def timed(stats: dict[str, list[float]], name: str, coro) -> list[bytes]:  # noqa: ANN001
    t = time.perf_counter()
    out = await coro
    stats[name].append(time.perf_counter() - t)
    return out


async def one_client(port: int, ctx: ssl.SSLContext, user: str, pw: str, rounds: int, stats) -> None:  # noqa: ANN001
    c = await timed(stats, "connect", Client.open(port, ctx))
    await timed(stats, "login", c.cmd(b'LOGIN "%s" "%s"' % (user.encode(), pw.encode())))
    for i in range(rounds):
        await timed(stats, "select", c.cmd(b"SELECT INBOX"))
        await timed(stats, "fetch_headers", c.cmd(b"FETCH 1:50 (UID FLAGS BODY.PEEK[HEADER])"))
        await timed(stats, "fetch_bodies", c.cmd(b"FETCH 1:10 BODY.PEEK[]"))
        await timed(stats, "store", c.cmd(b"STORE 1:20 +FLAGS (\\Seen)"))
        await timed(stats, "append", c.cmd(b"APPEND INBOX (\\Deleted)", MSG % (i + 10**6)))
        await timed(stats, "expunge", c.cmd(b"EXPUNGE"))
    await timed(stats, "logout", c.cmd(b"LOGOUT"))
    c.close()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def run(port: int, ctx: ssl.SSLContext, users: list[tuple[str, str]], pid: int | None, args) -> dict:  # noqa: ANN001
    stats: dict[str, list[float]] = defaultdict(list)
    started = time.perf_counter()
    jobs = [one_client(port, ctx, *users[i % len(users)], args.rounds, stats) for i in range(args.clients)]
    await asyncio.wait_for(asyncio.gather(*jobs), 90)
    wall = time.perf_counter() - started
    result: dict = {"wall": wall, "stats": stats}
    c = await Client.open(port, ctx)
    await c.cmd(b'LOGIN "%s" "%s"' % (users[0][0].encode(), users[0][1].encode()))
    await c.cmd(b"SELECT INBOX")
    t = time.perf_counter()
    await c.cmd(b"FETCH 1:1000 (ENVELOPE)")
    result["envelopes_1000"] = time.perf_counter() - t
    await c.cmd(b"LOGOUT")
    c.close()
    if pid and args.idle:
        before = rss_kb(pid)
        idle: list[Client] = []
        deadline = time.monotonic() + 60
        for i in range(args.idle):
            if time.monotonic() > deadline:
                break
            cl = await Client.open(port, ctx)
            await cl.cmd(b'LOGIN "%s" "%s"' % (users[i % len(users)][0].encode(), users[i % len(users)][1].encode()))
            await cl.cmd(b"SELECT INBOX")
            cl.w.write(b"i IDLE\r\n")
            await cl.w.drain()
            await cl.r.readline()  # "+ idling"
            idle.append(cl)
        await asyncio.sleep(1)
        after = rss_kb(pid)
        result["idle"] = (len(idle), before, after)
        for cl in idle:
            cl.close()
    return result


def report(name: str, res: dict) -> None:
    print(f"\n== {name}: {res['wall']:.1f}s wall")
    for cmd, xs in res["stats"].items():
        xs = sorted(xs)
        p99 = xs[min(len(xs) - 1, int(len(xs) * 0.99))]
        print(f"  {cmd:14s} n={len(xs):5d} ops/s={len(xs) / res['wall']:8.1f} "
              f"p50={statistics.median(xs) * 1000:7.1f}ms p99={p99 * 1000:7.1f}ms")
    print(f"  FETCH 1:1000 ENVELOPE: {res['envelopes_1000'] * 1000:.0f} ms")
    if "idle" in res:
        n, before, after = res["idle"]
        print(f"  {n} idle IDLE sessions: RSS {before} kB -> {after} kB, {(after - before) / max(n, 1):.1f} kB each")


def seed_postvak(server, users: list[tuple[str, str]], n: int) -> None:  # noqa: ANN001
    from postvak.store import accounts, mailboxes, messages

    store = server.open_store()
    try:
        for user, pw in users:
            server.add_user(user, pw)
            acct = store.read(accounts.get_account, user)
            box = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
            store.write_batch([(messages.ingest, (acct.id, box.id, MSG % i), {}) for i in range(n)])
    finally:
        store.close()


def start_dovecot(base: Path, users: list[tuple[str, str]], n: int, cert: Path, key: Path, port: int):  # noqa: ANN201
    """An unprivileged Dovecot on a loopback port: passwd-file users, Maildir under base."""
    me = os.getuid()
    pw = base / "passwd"
    pw.write_text("".join(f"{u}:{{PLAIN}}{p}:{me}:{os.getgid()}::{base}/home/{u}\n" for u, p in users))
    for u, _ in users:  # pre-filled Maildir INBOX
        cur = base / "home" / u / "Maildir" / "cur"
        cur.mkdir(parents=True)
        for d in ("new", "tmp"):
            (cur.parent / d).mkdir()
        for i in range(n):
            (cur / f"{1764300000 + i}.{i}.bench:2,").write_bytes(MSG % i)
    conf = base / "dovecot.conf"
    conf.write_text(f"""base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {os.environ.get("USER", "root")}
default_login_user = {os.environ.get("USER", "root")}
default_internal_group = {subprocess.run(["id", "-gn"], capture_output=True, text=True).stdout.strip()}
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
auth_mechanisms = plain login
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {pw}
}}
userdb {{
  driver = passwd-file
  args = {pw}
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
  process_min_avail = 2
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
mail_max_userip_connections = 2000
""")
    subprocess.run(["dovecot", "-c", str(conf)], check=True, capture_output=True, timeout=20)
    time.sleep(1)
    return conf


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--no-dovecot", action="store_true")
    args = ap.parse_args()
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.idle + 256)), hard))
    from tests.support.server import RunningServer

    users = [(f"bench{i}@example.test", f"bench-secret-{i}") for i in range(4)]
    base = Path(tempfile.mkdtemp(prefix="bench-imap-"))
    # only IMAP is measured: the web listener stays off
    server = RunningServer(base / "postvak", env={"POSTVAK_LISTENERS__HTTPS__ENABLED": "false"})
    try:
        seed_postvak(server, users, args.messages)
        ctx = ssl.create_default_context(cafile=str(server.cert_path()))
        ctx.check_hostname = False
        ours = asyncio.run(run(server.port("imaps"), ctx, users, server.proc.pid, args))
        report("postvak", ours)
    finally:
        server.stop()
    if args.no_dovecot or not shutil.which("dovecot"):
        print("\n(dovecot not run: install dovecot-imapd for a comparison)")
        return
    try:
        cert = server.cert_path()
        key = next(p for p in cert.parent.rglob("*.pem") if b"PRIVATE KEY" in p.read_bytes())
        port = server.port("imaps") + 7
        conf = start_dovecot(base / "dovecot", users, args.messages, cert, key, port)
    except (subprocess.SubprocessError, StopIteration, OSError) as exc:
        print(f"\n(dovecot could not start: {exc})")
        return
    try:
        pid = int((base / "dovecot" / "run" / "master.pid").read_text())
        theirs = asyncio.run(run(port, ctx, users, pid, argparse.Namespace(**{**vars(args), "idle": 0})))
        report("dovecot", theirs)
        print("\n== postvak / dovecot median latency ratio (lower is better for postvak)")
        for cmd, xs in ours["stats"].items():
            ys = theirs["stats"].get(cmd)
            if ys:
                print(f"  {cmd:14s} {statistics.median(xs) / statistics.median(ys):6.2f}x")
        print(f"  envelopes_1000 {ours['envelopes_1000'] / theirs['envelopes_1000']:6.2f}x")
    finally:
        subprocess.run(["dovecot", "-c", str(conf), "stop"], capture_output=True, timeout=20)


if __name__ == "__main__":
    main()
