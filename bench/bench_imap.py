"""IMAP load driver against `postvak serve` and, where installed, an unprivileged Dovecot
(Debian dovecot-imapd) holding the same mail, both over TLS on 127.0.0.1:

* the whole session mix (the issue's headline aim): --clients clients each loop whole
  sessions for --seconds: connect + TLS, LOGIN, SELECT INBOX, FETCH 1:50 headers, FETCH
  1:10 bodies, STORE 1:20 +/-FLAGS (\\Seen), APPEND a \\Deleted message, EXPUNGE, LOGOUT;
  sessions/s and p50/p99 per session;
* per command: --clients connections each run that one command back to back for
  --seconds, giving ops/s and p50/p99 latency (login includes connect + TLS handshake);
* FETCH 1:1000 (ENVELOPE): the first (cold) run and the median of 5 further runs;
* the postvak/dovecot ratio per command (ops/s; above 1 means postvak is faster).

Idle sessions (memory per IDLE connection, wake-up latency) are bench/bench_imap_idle.py's,
which shares this module's client, server start-up and Dovecot setup.

Bounded: every command has a timeout and every phase a deadline; the default run takes
about 2 minutes on a 2-core machine.

    .venv/bin/python bench/bench_imap.py [--clients 20] [--seconds 3] [--no-dovecot]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pwd
import resource
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support (the server harness)

from tests.support.server import RunningServer, _port_free  # noqa: E402

MSG = (b"From: Bench Sender <bench@remote.test>\r\nTo: user@example.test\r\nSubject: bench message %d\r\n"
       b"Date: Fri, 28 Nov 2025 10:00:00 +0000\r\nMessage-ID: <%d@bench>\r\n\r\n" + b"hello world line\r\n" * 100)
CMD_TIMEOUT = 30.0  # no single command may hang the run


def msg(i: int) -> bytes:
    return MSG % (i, i)


class Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.r, self.w, self.n = reader, writer, 0

    @classmethod
    async def open(cls, port: int, ctx: ssl.SSLContext) -> Client:
        r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, ssl=ctx, limit=1 << 22), CMD_TIMEOUT)
        greeting = await asyncio.wait_for(r.readline(), CMD_TIMEOUT)
        if not greeting.startswith(b"* OK"):
            w.close()
            raise RuntimeError(f"greeting: {greeting[:100]!r}")
        return cls(r, w)

    async def cmd(self, text: bytes, literal: bytes | None = None) -> list[bytes]:
        return await asyncio.wait_for(self._cmd(text, literal), CMD_TIMEOUT)

    async def _cmd(self, text: bytes, literal: bytes | None) -> list[bytes]:
        self.n += 1
        tag = b"b%d" % self.n
        if literal is None:
            self.w.write(tag + b" " + text + b"\r\n")
        else:  # synchronizing literal: both servers take it, no LITERAL+ assumption
            self.w.write(tag + b" " + text + b" {%d}\r\n" % len(literal))
            line = await self.r.readline()
            if not line.startswith(b"+"):
                raise RuntimeError(line)
            self.w.write(literal + b"\r\n")
        out = []
        while True:
            line = await self.r.readline()
            if not line:
                raise RuntimeError("connection closed")
            while line.rstrip().endswith(b"}"):  # a literal follows, then the rest of the line
                size = int(line.rstrip()[line.rstrip().rindex(b"{") + 1 : -1].rstrip(b"+"))
                line += await self.r.readexactly(size)
                line += await self.r.readline()
            out.append(line)
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(line[:200])
                return out

    async def login(self, user: str, pw: str) -> None:
        await self.cmd(b'LOGIN "%s" "%s"' % (user.encode(), pw.encode()))

    def close(self) -> None:
        self.w.close()


@dataclass
class Result:
    mix: tuple[float, list[float]] | None = None  # whole sessions: (sessions/s, latencies)
    mix_steps: dict[str, list[float]] = field(default_factory=dict)  # step -> latencies
    cpu: dict[str, float] = field(default_factory=dict)  # phase -> server CPU ms per operation
    ops: dict[str, tuple[float, list[float]]] = field(default_factory=dict)  # name -> (ops/s, latencies)
    env_cold: float = 0.0
    env_warm: float = 0.0


Op = Callable[[Client, int], Awaitable[object]]


def commands() -> dict[str, Op]:
    """One timed operation per command; each runs in a SELECTed INBOX of 1,000+ messages
    (EXPUNGE is timed separately, after an untimed APPEND of a \\Deleted message)."""

    async def store(c: Client, i: int) -> None:  # alternate so every STORE changes flags
        await c.cmd(b"STORE 1:20 %sFLAGS (\\Seen)" % (b"+" if i % 2 == 0 else b"-"))

    return {
        "noop": lambda c, i: c.cmd(b"NOOP"),
        "select": lambda c, i: c.cmd(b"SELECT INBOX"),
        "fetch_headers": lambda c, i: c.cmd(b"FETCH 1:50 (UID FLAGS BODY.PEEK[HEADER])"),
        "fetch_bodies": lambda c, i: c.cmd(b"FETCH 1:10 BODY.PEEK[]"),
        "fetch_flags_all": lambda c, i: c.cmd(b"FETCH 1:* (UID FLAGS)"),
        "search": lambda c, i: c.cmd(b'UID SEARCH SUBJECT "message %d"' % (i % 1000)),
        "search_flags": lambda c, i: c.cmd(b"UID SEARCH UNSEEN NOT DELETED"),
        "store": store,
        "append": lambda c, i: c.cmd(b"APPEND INBOX (\\Deleted)", msg(10**6 + i)),
    }


async def timed_loop(name: str, op: Op, clients: list[Client], seconds: float,
                     before: Op | None = None) -> tuple[float, list[float]]:
    lat: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(c: Client) -> None:
        i = 0
        while time.perf_counter() < deadline:
            if before is not None:
                await before(c, i)
            t = time.perf_counter()
            await op(c, i)
            lat.append(time.perf_counter() - t)
            i += 1

    start = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(worker(c) for c in clients)), seconds + 4 * CMD_TIMEOUT)
    return len(lat) / (time.perf_counter() - start), lat


async def login_loop(port: int, ctx: ssl.SSLContext, users: list[tuple[str, str]], n: int,
                     seconds: float) -> tuple[float, list[float]]:
    lat: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        user, pw = users[k % len(users)]
        while time.perf_counter() < deadline:
            t = time.perf_counter()
            c = await Client.open(port, ctx)
            await c.login(user, pw)
            lat.append(time.perf_counter() - t)
            await c.cmd(b"LOGOUT")
            c.close()

    start = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(worker(k) for k in range(n))), seconds + 4 * CMD_TIMEOUT)
    return len(lat) / (time.perf_counter() - start), lat


async def session_mix(port: int, ctx: ssl.SSLContext, users: list[tuple[str, str]], n: int,
                      seconds: float) -> tuple[float, list[float], dict[str, list[float]]]:
    """Whole sessions back to back, the way a mail client syncs a folder and makes a change:
    every command of the per-command phases in one connection. The APPENDed message is
    \\Deleted, so the session's own EXPUNGE keeps the mailbox at its size. Also returns each
    step's latencies, to see where a session's time goes."""
    lat: list[float] = []
    steps: dict[str, list[float]] = {}
    deadline = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        user, pw = users[k % len(users)]
        i = 0
        while time.perf_counter() < deadline:
            t = last = time.perf_counter()

            def step(name: str) -> None:
                nonlocal last
                now = time.perf_counter()
                steps.setdefault(name, []).append(now - last)
                last = now

            c = await Client.open(port, ctx)
            try:
                step("connect")
                await c.login(user, pw)
                step("login")
                await c.cmd(b"SELECT INBOX")
                step("select")
                await c.cmd(b"FETCH 1:50 (UID FLAGS BODY.PEEK[HEADER])")
                step("headers")
                await c.cmd(b"FETCH 1:10 BODY.PEEK[]")
                step("bodies")
                await c.cmd(b"STORE 1:20 %sFLAGS (\\Seen)" % (b"+" if i % 2 == 0 else b"-"))
                step("store")
                await c.cmd(b"APPEND INBOX (\\Deleted)", msg(3 * 10**6 + k * 10**4 + i))
                step("append")
                await c.cmd(b"EXPUNGE")
                step("expunge")
                await c.cmd(b"LOGOUT")
                step("logout")
            finally:
                c.close()
            lat.append(time.perf_counter() - t)
            i += 1

    start = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(worker(k) for k in range(n))), seconds + 10 * CMD_TIMEOUT)
    return len(lat) / (time.perf_counter() - start), lat, steps


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    return children


def tree_cpu_s(root: int) -> float:
    """CPU seconds (user + system) of a process tree, counting children it has reaped: the
    server's cost per operation, which the load of a shared machine distorts less than
    its rate."""
    children, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_pss_kb(root: int) -> int:
    """PSS summed over a process tree: Dovecot runs one process per IMAP session, and
    PSS shares their common pages out instead of counting them once per process."""
    children, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


async def run(port: int, ctx: ssl.SSLContext, users: list[tuple[str, str]], args: argparse.Namespace,
              cpu: Callable[[], float]) -> Result:
    res = Result()
    only = set(args.only.split(",")) if args.only else None
    mark = [cpu()]

    def cpu_per_op(name: str, ops: int) -> None:
        now = cpu()
        res.cpu[name] = (now - mark[0]) * 1000 / max(ops, 1)
        mark[0] = now
    for user in users:  # warm-up: postvak's argon2 cache and Dovecot's auth cache, so login is steady state
        c = await Client.open(port, ctx)
        await c.login(*user)
        await c.cmd(b"LOGOUT")
        c.close()
    if only is None or "mix" in only:  # first, on the seeded mailboxes, the same for both servers
        mark[0] = cpu()
        rate, lat, res.mix_steps = await session_mix(port, ctx, users, args.clients, args.seconds)
        res.mix = rate, lat
        cpu_per_op("mix", len(lat))
        print("  mix done", flush=True)
    if only is None or "login" in only:
        mark[0] = cpu()
        res.ops["login"] = await login_loop(port, ctx, users, args.clients, args.seconds)
        cpu_per_op("login", len(res.ops["login"][1]))
    clients = []
    for k in range(args.clients):
        c = await Client.open(port, ctx)
        await c.login(*users[k % len(users)])
        await c.cmd(b"SELECT INBOX")
        clients.append(c)
    for name, op in commands().items():
        if only is not None and name not in only:
            continue
        mark[0] = cpu()
        res.ops[name] = await timed_loop(name, op, clients, args.seconds)
        cpu_per_op(name, len(res.ops[name][1]))
        print(f"  {name} done", flush=True)

    async def append_deleted(c: Client, i: int) -> None:
        await c.cmd(b"APPEND INBOX (\\Deleted)", msg(2 * 10**6 + i))

    if only is None or "expunge" in only:
        mark[0] = cpu()
        res.ops["expunge"] = await timed_loop("expunge", lambda c, i: c.cmd(b"EXPUNGE"), clients, args.seconds,
                                              before=append_deleted)
        cpu_per_op("expunge", len(res.ops["expunge"][1]))  # with its untimed APPEND
    for c in clients:
        await c.cmd(b"LOGOUT")
        c.close()
    c = await Client.open(port, ctx)
    await c.login(*users[0])
    await c.cmd(b"SELECT INBOX")
    times = []
    for _ in range(6):
        t = time.perf_counter()
        out = await c.cmd(b"FETCH 1:1000 (ENVELOPE)")
        times.append(time.perf_counter() - t)
        assert len(out) == 1001, len(out)
    res.env_cold, res.env_warm = times[0], statistics.median(times[1:])
    await c.cmd(b"LOGOUT")
    c.close()
    return res


def p(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))] * 1000 if xs else float("nan")


def report(name: str, res: Result, clients: int) -> None:
    print(f"\n== {name} ({clients} concurrent clients per command)", flush=True)
    if res.mix is not None:
        rate, xs = res.mix
        print(f"  {'whole session mix':16s} n={len(xs):6d} sessions/s={rate:6.1f} "
              f"p50={p(xs, 0.5):7.1f}ms p99={p(xs, 0.99):7.1f}ms cpu/session={res.cpu.get('mix', 0):5.1f}ms")
        print("    p50 per step (ms): " + " ".join(f"{k} {p(v, 0.5):.1f}" for k, v in res.mix_steps.items()))
    for cmd, (rate, xs) in res.ops.items():
        print(f"  {cmd:16s} n={len(xs):6d} ops/s={rate:8.1f} p50={p(xs, 0.5):7.1f}ms p99={p(xs, 0.99):7.1f}ms "
              f"cpu/op={res.cpu.get(cmd, 0):6.2f}ms")
    print(f"  FETCH 1:1000 (ENVELOPE): cold {res.env_cold * 1000:.0f} ms, warm {res.env_warm * 1000:.0f} ms")
    sys.stdout.flush()


def seed_postvak(server: RunningServer, users: list[tuple[str, str]], n: int) -> None:
    from postvak.store import accounts, mailboxes, messages

    store = server.open_store()
    try:
        for user, pw in users:
            server.add_user(user, pw)
            acct = store.read(accounts.get_account, user)
            box = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
            for start in range(0, n, 250):
                results = store.write_batch([(messages.ingest, (acct.id, box.id, msg(i)), {})
                                             for i in range(start, min(n, start + 250))])
                bad = [r for r in results if isinstance(r, Exception)]
                if bad:
                    raise bad[0]
    finally:
        store.close()


def wait_indexed(server: RunningServer, limit_s: float = 120.0) -> None:
    """Wait until the server's full-text indexer has caught up with the seeded mail, so
    the measured phases do not pay for indexing the seed (Dovecot here indexes nothing)."""
    import sqlalchemy as sa

    from postvak.store import schema

    store = server.open_store()
    try:
        deadline = time.monotonic() + limit_s
        while True:
            left = store.read(lambda tx: tx.conn.execute(
                sa.select(sa.func.count()).select_from(schema.unindexed)).scalar_one())
            if left == 0:
                return
            if time.monotonic() > deadline:
                print(f"  (indexer still has {left} messages after {limit_s:.0f} s; measuring anyway)")
                return
            time.sleep(0.5)
    finally:
        store.close()


def free_port() -> int:
    for port in range(22143, 32143, 11):
        if _port_free(port):
            return port
    raise RuntimeError("no free port")


def start_dovecot(base: Path, users: list[tuple[str, str]], n: int, cert: Path, key: Path,
                  sessions: int) -> tuple[subprocess.Popen, int] | None:
    """An unprivileged Dovecot on a loopback port: passwd-file users, Maildir INBOX with the
    same messages, room for `sessions` connections. As root, every Dovecot process runs as
    `nobody`."""
    dovecot = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if dovecot is None or not os.path.exists("/usr/lib/dovecot/imap"):
        print("\n(dovecot not run: apt-get install -y dovecot-imapd for a comparison)")
        return None
    d = base / "dovecot"
    for sub in ("run", "state", "home"):
        (d / sub).mkdir(parents=True)
    shutil.copy(cert, d / "cert.pem")
    shutil.copy(key, d / "key.pem")
    runas = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    group = "nogroup" if os.geteuid() == 0 else subprocess.run(["id", "-gn"], capture_output=True, text=True).stdout.strip()
    (d / "passwd").write_text("".join(f"{u}:{{PLAIN}}{pw}:{runas.pw_uid}:{runas.pw_gid}::{d}/home/{u}\n"
                                      for u, pw in users))
    for u, _ in users:
        maildir = d / "home" / u / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True)
        for i in range(n):
            (maildir / "cur" / f"{1764300000 + i}.M{i}P1.bench:2,").write_bytes(msg(i))
    port = free_port()
    conns = max(sessions, 100) + 200
    (d / "dovecot.conf").write_text(f"""
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {runas.pw_name}
default_internal_group = {group}
default_login_user = {runas.pw_name}
default_client_limit = {conns * 2}
default_process_limit = {conns}
ssl = required
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
auth_mechanisms = plain login
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
mail_fsync = never
passdb {{
  driver = passwd-file
  args = {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
  chroot =
  # performance mode: a few login processes proxy all TLS sessions
  service_count = 0
  process_min_avail = 2
  client_limit = {conns}
}}
service anvil {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = {conns}
}}
""")
    cmd = [dovecot, "-F", "-c", str(d / "dovecot.conf")]
    if os.geteuid() == 0:
        os.chmod(base, 0o711)  # mkdtemp's 0700 would hide the config from `nobody`
        subprocess.run(["chown", "-R", f"{runas.pw_uid}:{runas.pw_gid}", str(d)], check=True)
        cmd = ["setpriv", f"--reuid={runas.pw_uid}", f"--regid={runas.pw_gid}", "--clear-groups", *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not _port_free(port):
            return proc, port
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace")[-800:] if proc.stderr else ""
            log = d / "dovecot.log"
            print("\n(dovecot failed to start:", err, log.read_text()[-800:] if log.exists() else "", ")")
            return None
        time.sleep(0.1)
    proc.terminate()
    print("\n(dovecot did not listen within 15 s)")
    return None


def find_key(base: Path) -> Path:
    for path in sorted(base.rglob("*.pem")) + sorted(base.rglob("*.key")):
        if b"PRIVATE KEY" in path.read_bytes():
            return path
    raise RuntimeError("no private key found")


@dataclass
class Setup:
    """A seeded `postvak serve` in a temporary folder, and what a client and Dovecot need of it."""
    base: Path
    server: RunningServer
    cert: Path
    key: Path
    ctx: ssl.SSLContext


def start_postvak(prefix: str, users: list[tuple[str, str]], messages: int, connections: int) -> Setup:
    """`postvak serve` (IMAP only) seeded with `messages` messages in each user's INBOX,
    allowing `connections` connections, all from 127.0.0.1; the process may open twice
    that many sockets (our ends and the server's)."""
    need = 2 * connections + 512
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, need), hard))
    base = Path(tempfile.mkdtemp(prefix=prefix))
    limit = str(connections + 100)
    env = {
        "POSTVAK_LISTENERS__HTTPS__ENABLED": "false",  # only IMAP is measured
        "POSTVAK_LIMITS__MAX_CONNECTIONS_PER_IP": limit,
        "POSTVAK_LIMITS__MAX_CONNECTIONS": limit,
    }
    started = time.monotonic()
    server = RunningServer(base / "postvak", env=env)
    try:
        cert, key = server.cert_path(), find_key(server.dir)
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False
        seed_postvak(server, users, messages)
        wait_indexed(server)
    except BaseException:
        server.stop()
        raise
    print(f"seeded {len(users)} x {messages} messages in {time.monotonic() - started:.0f} s", flush=True)
    return Setup(base, server, cert, key, ctx)


@contextmanager
def dovecot(setup: Setup, users: list[tuple[str, str]], messages: int,
            sessions: int) -> Iterator[tuple[subprocess.Popen, int] | None]:
    """start_dovecot beside `setup`'s postvak, stopped on leaving; None if it did not start."""
    started = start_dovecot(setup.base, users, messages, setup.cert, setup.key, sessions)
    try:
        yield started
    finally:
        if started is not None:
            started[0].terminate()
            try:
                started[0].wait(10)
            except subprocess.TimeoutExpired:
                started[0].kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=3.0, help="per command and server")
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--no-dovecot", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated phases, e.g. mix,login,select (for profiling)")
    ap.add_argument("--pause", action="store_true", help="print the server pid and wait 5 s, to attach py-spy")
    args = ap.parse_args()
    started = time.monotonic()
    users = [(f"bench{i}@example.test", f"bench-secret-{i}") for i in range(4)]
    setup = start_postvak("bench-imap-", users, args.messages, 4 * args.clients)
    try:
        assert setup.server.proc is not None
        pid = setup.server.proc.pid
        if args.pause:
            print(f"postvak serve pid {pid}", flush=True)
            time.sleep(5)
        ours = asyncio.run(run(setup.server.port("imaps"), setup.ctx, users, args, lambda: tree_cpu_s(pid)))
        report("postvak", ours, args.clients)
    finally:
        setup.server.stop()
    theirs = None
    if not args.no_dovecot:
        with dovecot(setup, users, args.messages, args.clients) as started_dc:
            if started_dc is not None:
                proc, port = started_dc
                theirs = asyncio.run(run(port, setup.ctx, users, args, lambda: tree_cpu_s(proc.pid)))
                report("dovecot", theirs, args.clients)
    if theirs is not None:
        print("\n== postvak / dovecot ops/s ratio per command (above 1: postvak faster)")
        if ours.mix is not None and theirs.mix is not None and theirs.mix[0]:
            print(f"  whole session mix {ours.mix[0] / theirs.mix[0]:6.2f}x   "
                  f"(p50 {p(ours.mix[1], 0.5):.1f} ms vs {p(theirs.mix[1], 0.5):.1f} ms per session; "
                  f"CPU {ours.cpu.get('mix', 0):.1f} ms vs {theirs.cpu.get('mix', 0):.1f} ms per session)")
        for cmd, (rate, xs) in ours.ops.items():
            other = theirs.ops.get(cmd)
            if other and other[0]:
                print(f"  {cmd:16s} {rate / other[0]:6.2f}x   (p50 {p(xs, 0.5):.1f} ms vs {p(other[1], 0.5):.1f} ms)")
        print(f"  FETCH 1:1000 ENVELOPE latency ratio (below 1: postvak faster): "
              f"cold {ours.env_cold / theirs.env_cold:.2f}x, warm {ours.env_warm / theirs.env_warm:.2f}x")
    shutil.rmtree(setup.base, ignore_errors=True)
    print(f"\ntotal {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
