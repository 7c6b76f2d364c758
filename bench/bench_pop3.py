"""POP3 download throughput: messages/s and MB/s with 10 concurrent poplib clients over
TLS (port 995), against `postvak serve` and, where installed, Dovecot's POP3 server
(Debian dovecot-pop3d) run unprivileged on a loopback port with a temp config,
passwd-file and Maildir holding the same messages. Prints the ratio.

    .venv/bin/python bench/bench_pop3.py                 # 10 clients x 200 messages
    .venv/bin/python bench/bench_pop3.py --messages 50 --clients 4

Each client is its own process (a Python client must not be the bottleneck of the
figure), logs in to its own account (one POP3 session per maildrop), LISTs, RETRs
every message, and QUITs without deleting. One warm-up round, then the best of
--rounds timed rounds. Bounded: well under 2 minutes with the defaults.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import poplib
import random
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `tests.*` imports from a checkout

from tests.support.server import RunningServer, _port_free  # noqa: E402

PASSWORD = "bench-secret-1"
WORDS = "the of and to in is that for it as with was on be by this are from at or an have not".split()


def make_messages(n: int, seed: int) -> list[bytes]:
    """Realistic sizes: mostly 2-20 KB text, every tenth with a ~100 KB base64 attachment."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        words = rng.randint(300, 3000)
        text = " ".join(rng.choice(WORDS) for _ in range(words))
        lines = [text[j:j + 72] for j in range(0, len(text), 72)]
        body = "\r\n".join(("." + line) if k % 40 == 0 else line for k, line in enumerate(lines)) + "\r\n"
        if i % 10 == 9:
            blob = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                           for _ in range(100_000))
            body += "\r\n".join(blob[j:j + 76] for j in range(0, len(blob), 76)) + "\r\n"
        head = (f"From: sender{i}@example.net\r\nTo: user@bench.test\r\nSubject: bench {seed}-{i}\r\n"
                f"Message-ID: <bench-{seed}-{i}@example.net>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n")
        out.append(head.encode() + body.encode())
    return out


def _client(args: tuple[str, int, str, str, str]) -> tuple[int, int]:
    host, port, cafile, user, password = args
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = False
    poplib._MAXLINE = 1 << 20  # type: ignore[attr-defined]
    client = poplib.POP3_SSL(host, port, context=ctx, timeout=60)
    client.user(user)
    client.pass_(password)
    _, listing, _ = client.list()
    count = octets = 0
    for line in listing:
        n = int(line.split()[0])
        _, lines, size = client.retr(n)
        count += 1
        octets += size
    client.quit()
    return count, octets


def measure(label: str, host: str, port: int, cafile: str, users: list[str], rounds: int) -> tuple[float, float]:
    jobs = [(host, port, cafile, u, PASSWORD) for u in users]
    best = (0.0, 0.0)
    with mp.get_context("fork").Pool(len(users)) as pool:
        pool.map(_client, jobs)  # warm-up: caches, Dovecot's index, argon2 auth cache
        for _ in range(rounds):
            start = time.perf_counter()
            results = pool.map(_client, jobs)
            elapsed = time.perf_counter() - start
            count = sum(r[0] for r in results)
            mb = sum(r[1] for r in results) / 1e6
            if count / elapsed > best[0]:
                best = (count / elapsed, mb / elapsed)
            print(f"  {label}: {count} messages, {mb:.1f} MB in {elapsed:.2f}s", flush=True)
    return best


def setup_postvak(base: Path, users: list[str], mail: dict[str, list[bytes]]) -> RunningServer:
    from postvak.store import accounts, mailboxes, messages

    # Only what the figure needs: other listeners stay closed.
    server = RunningServer(base / "postvak", env={"POSTVAK_LISTENERS__HTTPS__ENABLED": "false"})
    for user in users:
        server.add_user(user, PASSWORD)
    store = server.open_store()
    try:
        for user in users:
            account = store.read(accounts.get_account, user)
            inbox = store.read(mailboxes.get_mailbox, account.id, "INBOX")
            store.write_batch([(messages.ingest, (account.id, inbox.id, raw), {}) for raw in mail[user]])
    finally:
        store.close()
    return server


def _free_port() -> int:
    for port in range(21995, 31995, 7):
        if _port_free(port):
            return port
    raise RuntimeError("no free port")


def start_dovecot(base: Path, cert: Path, key: Path, users: list[str], mail: dict[str, list[bytes]]) -> tuple[subprocess.Popen, int] | None:
    dovecot = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
    if dovecot is None:
        print("dovecot: not installed (apt-get install -y dovecot-pop3d); no comparison")
        return None
    import pwd

    d = base / "dovecot"
    for sub in ("run", "state", "home"):
        (d / sub).mkdir(parents=True)
    shutil.copy(cert, d / "cert.pem")
    shutil.copy(key, d / "key.pem")
    # Unprivileged: as root we drop to `nobody` and let every Dovecot service run as it.
    runas = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    with open(d / "passwd", "w") as fh:
        for user in users:
            fh.write(f"{user}:{{PLAIN}}{PASSWORD}:{runas.pw_uid}:{runas.pw_gid}::{d}/home/{user}\n")
    for user in users:
        maildir = d / "home" / user / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True)
        for i, raw in enumerate(mail[user]):
            (maildir / "cur" / f"{1700000000 + i}.M{i}P1.bench:2,S").write_bytes(raw)
    port = _free_port()
    (d / "dovecot.conf").write_text(f"""
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = pop3
listen = 127.0.0.1
default_internal_user = {runas.pw_name}
default_internal_group = {runas.pw_name if os.geteuid() != 0 else 'nogroup'}
default_login_user = {runas.pw_name}
ssl = required
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
auth_mechanisms = plain
disable_plaintext_auth = yes
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
  inet_listener pop3s {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service pop3-login {{
  chroot =
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
            print("dovecot failed to start:", proc.stderr.read().decode(errors="replace")[-800:] if proc.stderr else "")
            log = d / "dovecot.log"
            if log.exists():
                print(log.read_text()[-800:])
            return None
        time.sleep(0.1)
    proc.terminate()
    print("dovecot did not listen in 15s")
    return None


def find_key(base: Path) -> Path:
    for path in sorted(base.rglob("*.pem")) + sorted(base.rglob("*.key")):
        if b"PRIVATE KEY" in path.read_bytes():
            return path
    raise RuntimeError("no private key found")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--messages", type=int, default=200, help="messages per client's maildrop")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-dovecot", action="store_true", help="postvak only (quick iterations while tuning)")
    args = parser.parse_args()

    users = [f"pop{i}@bench.test" for i in range(args.clients)]
    mail = {u: make_messages(args.messages, i) for i, u in enumerate(users)}
    total_mb = sum(len(m) for ms in mail.values() for m in ms) / 1e6
    print(f"POP3 bench: {args.clients} concurrent clients, {args.messages} messages each, {total_mb:.1f} MB per round")

    base = Path(tempfile.mkdtemp(prefix="bench-pop3-"))
    server = None
    dovecot = None
    try:
        server = setup_postvak(base, users, mail)
        cert = server.cert_path()
        if server.proc is not None:
            print(f"postvak serve pid {server.proc.pid} (py-spy record -p PID)", flush=True)
        ours = measure("postvak", server.host, server.port("pop3s"), str(cert), users, args.rounds)
        print(f"postvak: {ours[0]:.0f} messages/s, {ours[1]:.1f} MB/s")
        started = None if args.no_dovecot else start_dovecot(base, cert, find_key(server.dir), users, mail)
        if started is not None:
            dovecot, port = started
            theirs = measure("dovecot", "127.0.0.1", port, str(cert), users, args.rounds)
            print(f"dovecot: {theirs[0]:.0f} messages/s, {theirs[1]:.1f} MB/s")
            print(f"ratio postvak/dovecot: {ours[0] / theirs[0]:.2f} (messages/s), {ours[1] / theirs[1]:.2f} (MB/s)")
    finally:
        if dovecot is not None:
            dovecot.terminate()
            try:
                dovecot.wait(10)
            except subprocess.TimeoutExpired:
                dovecot.kill()
        if server is not None:
            server.stop()
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
