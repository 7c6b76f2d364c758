"""Inbound SMTP rate: acceptance (250s per second) and end-to-end delivery (message
committed and visible in the store) with 10 and 50 concurrent sessions, 4 KB and
100 KB messages; then the same driver against Postfix when it is installed
(a private instance on a loopback port delivering to Maildir), printing the ratio.

    .venv/bin/python bench/bench_smtp.py [--quick] [--only 100:10[:attachment|:prose] ...] [--no-postfix] [--py-spy FILE]
        [--rounds N] [--no-spam]

`--no-spam` runs Postvak with spam.enabled = false (not the aim's setting): what the same
server does without classification, e.g. to check that a delivery without filters is no slower.

The four cases of the aim have one text part (the 100 KB one is a line repeated). Two more
cases send 100 KB as large mail usually comes: a short text part and a base64 attachment
(":attachment"); they are printed beside the four, not instead of them. ":prose" (run only
when asked for) sends 100 KB of text as people write it: thousands of distinct words, some
with accents, different in every message; the repeated line costs the classifier and the
indexer a fraction of that.

Postvak runs SPF, DKIM and DMARC, spam classification and search indexing on every
message (DNS from a loopback zone); the Postfix instance does none of these, so the
comparison favours Postfix.
"""

from __future__ import annotations

import argparse
import base64
import functools
import itertools
import os
import pwd
import random
import shutil
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `tests.*` imports from a checkout

from bench_imap import tree_cpu_s  # noqa: E402  (bench/ is this script's folder)

from tests.servers.smtp.dns_responder import DnsResponder  # noqa: E402
from tests.support.server import RunningServer, _port_free  # noqa: E402

USERS = 10
Case = tuple[int, int, str]  # message size, sessions, kind of message ("text" or "attachment")
TIMEOUT = 300.0  # per run: the benchmark is bounded


# A vocabulary for ":prose": common words, Dutch ones with accents among them, and made-up
# words of two to four syllables; drawn with Zipf's weights, as words of a language occur.
_COMMON = ("de het een en van ik te dat die in is niet op hij zijn the and to of a you for on with "
           "vergadering offerte factuur project klant afspraak morgen vandaag graag groet week team "
           "één café privé coördinatie ideeën reünie financiële België geïnteresseerd naïef crème "
           "déjà überhaupt enquête beëindigen geëvalueerd Curaçao façade").split()
_SYLLABLES = ("ver ge be ont an de ka me lo ti ra sto pen wer kin dal mor hu fa zel bri tra ons "
              "ing en aar ijk heid tie ster lijk baar").split()


@functools.lru_cache(maxsize=1)
def _vocabulary() -> tuple[list[str], list[float]]:
    rnd = random.Random(4)
    made = {"".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(2, 4))) for _ in range(8000)}
    invented = sorted(made - set(_COMMON))
    rnd.shuffle(invented)  # ranks not in alphabetical order
    words = list(_COMMON) + invented
    weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(words))))
    return words, weights


def _prose(i: int, size: int) -> bytes:
    """About `size` bytes of sentences in lines of at most 76 characters, in UTF-8."""
    words, cumulative = _vocabulary()
    rnd = random.Random(i)
    drawn = rnd.choices(words, cum_weights=cumulative, k=size // 5)
    lines: list[str] = []
    line: list[str] = []
    width = 0
    at = 0
    while at < len(drawn):
        n = rnd.randint(6, 18)
        sentence = drawn[at:at + n]
        at += n
        sentence[0] = sentence[0].capitalize()
        sentence[-1] += rnd.choice(".....?!")
        for word in sentence:
            if width + len(word) + 1 > 76:
                lines.append(" ".join(line))
                line, width = [], 0
            line.append(word)
            width += len(word) + 1
        if rnd.random() < 0.08:  # a paragraph ends
            lines.extend((" ".join(line), ""))
            line, width = [], 0
    lines.append(" ".join(line))
    body = "\r\n".join(lines).encode()
    return body[: body.rfind(b"\r\n", 0, size) + 2] if len(body) > size else body + b"\r\n"


def make_message(i: int, size: int, kind: str = "text") -> bytes:
    """kind "text": one text part of `size` bytes (the four cases the aim is about);
    "attachment": a short text part and a base64 attachment, as large mail usually is;
    "prose": one text part of varied words, some with accents (UTF-8)."""
    head = (f"From: load@bench.sender\r\nTo: u{i % USERS}@bench.test\r\nSubject: bench {i}\r\n"
            f"Message-ID: <bench-{i}-{time.time_ns()}@bench.sender>\r\n").encode()
    if kind == "prose":
        head += b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        return head + _prose(i, max(0, size - len(head)))
    line = b"The quick brown fox jumps over the lazy dog, 0123456789 abcdefghij.\r\n"
    if kind == "attachment":
        boundary = f"=_bench{i}"
        text = line * 40
        head += (f"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
                 f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n").encode() + text
        head += (f"--{boundary}\r\nContent-Type: application/pdf; name=\"report-{i}.pdf\"\r\n"
                 f"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"report-{i}.pdf\"\r\n\r\n").encode()
        tail = f"--{boundary}--\r\n".encode()
        room = max(0, size - len(head) - len(tail))
        data = random.Random(i).randbytes(room * 57 // 78 + 57)
        encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")[:room]
        return head + encoded[: len(encoded) - len(encoded) % 78] + tail
    head += b"\r\n"
    body = line * (max(0, size - len(head)) // len(line) + 1)
    return head + body[: max(0, size - len(head))]


def drive(port: int, sessions: int, total: int, payloads: list[bytes]) -> tuple[float, int]:
    """Send `total` messages (the payloads in turn) over `sessions` parallel connections;
    (seconds, accepted)."""
    accepted = [0] * sessions

    def worker(n: int) -> None:
        mine = range(n, total, sessions)
        client = smtplib.SMTP("127.0.0.1", port, local_hostname="client.bench.sender", timeout=120)
        for i in mine:
            client.sendmail("load@bench.sender", [f"u{i % USERS}@bench.test"], payloads[i % len(payloads)],
                            mail_options=["BODY=8BITMIME"])
            accepted[n] += 1
        client.quit()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(sessions)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    return time.perf_counter() - start, sum(accepted)


STALL = 30.0  # seconds without one more visible message: the server is stuck, give up


def wait_visible(count: Callable[[], int], expected: int, start: float) -> float:
    deadline = time.perf_counter() + TIMEOUT
    seen, progress = -1, time.perf_counter()
    while time.perf_counter() < deadline and time.perf_counter() - progress < STALL:
        now = count()
        if now >= expected:
            return time.perf_counter() - start
        if now != seen:
            seen, progress = now, time.perf_counter()
        time.sleep(0.02)
    raise RuntimeError(f"only {max(seen, 0)} of {expected} accepted messages became visible")


def _since(count: Callable[[], int], before: int) -> int:
    return count() - before


def _indexed(unindexed: Callable[[], int], accepted: int) -> int:
    """How many of the case's messages are indexed (each case starts with none waiting)."""
    return accepted - unindexed()


# The four cases of the aim, then 100 KB as large mail usually is (reported beside them).
MATRIX = [(4096, 10, "text"), (4096, 50, "text"), (102400, 10, "text"), (102400, 50, "text"),
          (102400, 10, "attachment"), (102400, 50, "attachment")]


def label(size: int, sessions: int, kind: str) -> str:
    return f"{size // 1024:4d} KB x {sessions:2d} sessions" + ("" if kind == "text" else f", {kind}")


def own_cpu_s(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of one process without its children (the server
    without its filter worker)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def run_matrix(name: str, port: int, count: Callable[[], int], quick: bool,
               cpu: Callable[[], float] | None = None,
               only: list[Case] | None = None,
               main_cpu: Callable[[], tuple[float, float]] | None = None,
               messages: int | None = None,
               unindexed: Callable[[], int] | None = None) -> dict[Case, tuple[float, float]]:
    """`cpu`: CPU seconds of the server's process tree; its cost per message is printed
    too, which a shared machine's load distorts less than the rates. `main_cpu`: the
    main process alone (the rest is the filter worker's). `unindexed`: messages waiting
    for the full-text indexer; each case then waits for it to finish (the next case
    would otherwise pay for this one's index) and prints the rate and CPU with it."""
    results = {}
    for size, sessions, kind in only or MATRIX:
        total = messages or ((100 if size > 10000 else 250) if quick else (300 if size > 10000 else 1000))
        payloads = [make_message(i, size, kind) for i in range(min(total, 64))]  # made before the clocks start
        before = count()
        cpu0 = cpu() if cpu else 0.0
        main0 = main_cpu() if main_cpu else (0.0, 0.0)
        t0, driver0 = time.perf_counter(), time.process_time()
        secs, accepted = drive(port, sessions, total, payloads)
        driver_ms = (time.process_time() - driver0) * 1000 / max(accepted, 1)
        visible = wait_visible(functools.partial(_since, count, before), accepted, t0)
        acc_rate, e2e_rate = accepted / secs, accepted / visible
        results[(size, sessions, kind)] = (acc_rate, e2e_rate)
        cpu_visible = cpu() if cpu else 0.0
        used = f"  server CPU {(cpu_visible - cpu0) * 1000 / max(accepted, 1):6.2f} ms/msg" if cpu else ""
        if main_cpu:
            user, system = (b - a for a, b in zip(main0, main_cpu(), strict=True))
            used += f" (main process {user * 1000 / accepted:.2f} user + {system * 1000 / accepted:.2f} system)"
        # The driver shares the machine's cores with the server: its own cost is part of the picture.
        used += f"  driver CPU {driver_ms:.2f} ms/msg"
        if unindexed is not None:
            indexed = wait_visible(functools.partial(_indexed, unindexed, accepted), accepted, t0)
            with_index = f", {(cpu() - cpu0) * 1000 / max(accepted, 1):.2f} ms/msg" if cpu else ""
            used += f"  all indexed {accepted / indexed:7.1f}/s{with_index}"
        print(f"{name:8} {label(size, sessions, kind)}: {accepted:5d} msgs  "
              f"accept {acc_rate:7.1f}/s  delivered+visible {e2e_rate:7.1f}/s{used}", flush=True)
    return results


# -- Postvak ------------------------------------------------------------------------
def bench_postvak(quick: bool, only: list[Case] | None = None,
                  py_spy: str | None = None, gil: bool = False, workers: int | None = None,
                  messages: int | None = None, spam: bool = True) -> dict[Case, tuple[float, float]]:
    from postvak.store import accounts, mailboxes, search

    dns = DnsResponder()
    dns.add("bench.sender", "TXT", "v=spf1 ip4:127.0.0.1 -all")
    dns.add("_dmarc.bench.sender", "TXT", "v=DMARC1; p=none")
    base = Path(tempfile.mkdtemp(prefix="bench-smtp-"))
    env = {"POSTVAK_DNS__NAMESERVERS": '["127.0.0.1"]', "POSTVAK_DNS__PORT": str(dns.port)}
    if workers is not None:
        env["POSTVAK_DELIVERY__FILTER_WORKERS"] = str(workers)
    if not spam:
        env["POSTVAK_SPAM__ENABLED"] = "false"
    server = RunningServer(base, env=env)
    try:
        for u in range(USERS):
            server.add_user(f"u{u}@bench.test", "bench-password-1")
        server.cli("domain", "add", "bench.sender", check=False)
        store = server.open_store()
        boxes = []
        for u in range(USERS):
            acct = store.read(accounts.get_account, f"u{u}@bench.test")
            boxes.append(store.read(mailboxes.get_mailbox, acct.id, "INBOX").id)

        def count() -> int:
            return sum(store.read(mailboxes.status, box).messages for box in boxes)

        try:
            assert server.proc is not None
            pid = server.proc.pid  # the filter worker is its child: counted in the tree
            spy = _start_py_spy(pid, py_spy, gil) if py_spy else None
            try:
                results = run_matrix("postvak", server.port("smtp"), count, quick, lambda: tree_cpu_s(pid), only,
                                     lambda: own_cpu_s(pid), messages, lambda: store.read(search.pending_count))
            finally:
                if spy is not None:
                    spy.send_signal(signal.SIGINT)  # py-spy writes its flame graph on SIGINT
                    spy.wait(60)
            # The resolver caches answers: a handful of queries for the whole run, not per message.
            print(f"postvak  DNS queries answered by the loopback zone: {dns.queries}", flush=True)
            return results
        finally:
            store.close()
    finally:
        server.stop()
        dns.close()
        shutil.rmtree(base, ignore_errors=True)


def _start_py_spy(pid: int, out: str, gil: bool) -> subprocess.Popen[bytes]:
    """Sample the server and its filter worker for the whole run (flame graph in `out`);
    `gil`: the server alone, only the thread holding the interpreter lock (its CPU)."""
    exe = Path(sys.executable).with_name("py-spy")
    which = ["--gil"] if gil else ["--subprocesses"]
    return subprocess.Popen([str(exe), "record", "--pid", str(pid), *which, "--rate", "200",
                             "--output", out, "--format", "flamegraph" if out.endswith(".svg") else "raw"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# -- Postfix ------------------------------------------------------------------------
def free_port() -> int:
    for port in range(26025, 27000):
        if _port_free(port):
            return port
    raise RuntimeError("no free port")


def bench_postfix(quick: bool, only: list[Case] | None = None,
                  messages: int | None = None) -> dict[Case, tuple[float, float]] | None:
    postfix = shutil.which("postfix") or ("/usr/sbin/postfix" if Path("/usr/sbin/postfix").exists() else None)
    if postfix is None or os.geteuid() != 0:
        print("postfix: not installed (apt-get install -y postfix) or not root; comparison skipped")
        return None
    postconf = str(Path(postfix).with_name("postconf"))
    base = Path(tempfile.mkdtemp(prefix="bench-postfix-"))
    base.chmod(0o755)  # the postfix and nobody users must reach their folders inside
    conf, mail, data = base / "conf", base / "mail", base / "data"
    for folder in (conf, mail, data, base / "queue"):
        folder.mkdir()
    postfix_user = pwd.getpwnam("postfix")
    os.chown(data, postfix_user.pw_uid, postfix_user.pw_gid)  # master.lock lives here
    port = free_port()
    nobody = pwd.getpwnam("nobody")
    shutil.copy("/etc/postfix/master.cf", conf / "master.cf")
    users = "\n".join(f"u{u}@bench.test bench.test/u{u}/" for u in range(USERS))
    (conf / "vmailbox").write_text(users + "\n")
    os.chown(mail, nobody.pw_uid, nobody.pw_gid)
    settings = {
        "compatibility_level": "3.6", "queue_directory": str(base / "queue"), "data_directory": str(base / "data"),
        "mail_owner": "postfix", "setgid_group": "postdrop", "myhostname": "postfix.bench.local",
        "mydestination": "", "inet_interfaces": "127.0.0.1", "inet_protocols": "ipv4",
        "virtual_mailbox_domains": "bench.test", "virtual_mailbox_base": str(mail),
        "virtual_mailbox_maps": f"texthash:{conf / 'vmailbox'}", "virtual_minimum_uid": "1",
        "virtual_uid_maps": f"static:{nobody.pw_uid}", "virtual_gid_maps": f"static:{nobody.pw_gid}",
        "message_size_limit": "52428800", "virtual_mailbox_limit": "0", "smtpd_client_connection_count_limit": "100",
        "default_process_limit": "100", "maillog_file": str(base / "maillog"), "maillog_file_prefixes": str(base),
        "smtpd_banner": "bench ESMTP",
        "syslog_name": "postfix-bench", "alias_maps": "", "alias_database": "", "relayhost": "",
        "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination", "mynetworks": "127.0.0.0/8",
        "smtp_dns_support_level": "disabled", "disable_dns_lookups": "yes", "multi_instance_enable": "no",
    }
    (conf / "main.cf").write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
    run = lambda *a: subprocess.run(list(a), capture_output=True, text=True, timeout=60)  # noqa: E731
    run(postconf, "-c", str(conf), "-F", "*/*/chroot = n")
    run(postconf, "-c", str(conf), "-M#", "smtp/inet")
    run(postconf, "-c", str(conf), "-Me", f"127.0.0.1:{port}/inet = 127.0.0.1:{port} inet n - n - - smtpd")
    # Without syslog, Postfix's own errors go to maillog_file (postlogd, Postfix >= 3.4);
    # `check` also creates the queue's subfolders with their owners.
    check = run(postfix, "-c", str(conf), "check")
    start = run(postfix, "-c", str(conf), "start") if check.returncode == 0 else check
    if start.returncode != 0:
        log = (base / "maillog").read_text(errors="replace") if (base / "maillog").exists() else ""
        said = "\n  ".join((log or start.stderr or start.stdout).strip().splitlines()[-5:])
        print(f"postfix: could not start its own instance (exit {start.returncode}):\n  {said}")
        run(postfix, "-c", str(conf), "stop")
        shutil.rmtree(base, ignore_errors=True)
        return None
    try:
        deadline = time.monotonic() + 20
        while _port_free(port) and time.monotonic() < deadline:
            time.sleep(0.1)

        def count() -> int:
            total = 0
            for u in range(USERS):
                new = mail / "bench.test" / f"u{u}" / "new"
                if new.is_dir():
                    total += len(os.listdir(new))
            return total

        master = base / "queue" / "pid" / "master.pid"  # smtpd, cleanup, virtual... are its children
        master_pid = int(master.read_text().split()[0]) if master.exists() else 0
        try:
            return run_matrix("postfix", port, count, quick, (lambda: tree_cpu_s(master_pid)) if master_pid else None,
                              only, messages=messages)
        except RuntimeError as exc:
            tail = (base / "maillog").read_text(errors="replace").strip().splitlines()[-5:]
            print(f"postfix: {exc}; its log ends:\n  " + "\n  ".join(tail))
            return None
    finally:
        run(postfix, "-c", str(conf), "stop")
        deadline = time.monotonic() + 10
        while not _port_free(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # delivery agents finish after the master
        shutil.rmtree(base, ignore_errors=True)


def _combination(text: str) -> Case:
    kb, _, rest = text.partition(":")
    sessions, _, kind = rest.partition(":")
    if not kb.isdigit() or not sessions.isdigit() or kind not in ("", "text", "attachment", "prose"):
        raise argparse.ArgumentTypeError("expected KB:SESSIONS[:attachment|:prose], e.g. 100:10")
    return int(kb) * 1024, int(sessions), kind or "text"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages per run")
    parser.add_argument("--only", action="append", type=_combination, metavar="KB:SESSIONS",
                        help="run only this size/session combination, e.g. 100:10, 100:10:attachment or 100:10:prose (repeatable)")
    parser.add_argument("--no-postfix", action="store_true", help="skip the Postfix comparison")
    parser.add_argument("--py-spy", metavar="FILE", help="record the server with py-spy (.svg: flame graph, else raw)")
    parser.add_argument("--gil", action="store_true", help="with --py-spy: only the server's thread holding the GIL")
    parser.add_argument("--filter-workers", type=int, metavar="N", help="delivery.filter_workers (default: the config's)")
    parser.add_argument("--messages", type=int, metavar="N",
                        help="messages per combination (default 1000 at 4 KB, 300 at 100 KB): more samples for --py-spy")
    parser.add_argument("--no-spam", action="store_true",
                        help="postvak with spam.enabled = false (not the aim's setting: Postvak then does less)")
    parser.add_argument("--rounds", type=int, default=1, metavar="N",
                        help="run both servers N times, taking turns to go first, and print the medians "
                             "(Postfix's rate swings up to 2x between runs on a shared machine)")
    args = parser.parse_args()
    ours_runs: list[dict[Case, tuple[float, float]]] = []
    theirs_runs: list[dict[Case, tuple[float, float]]] = []
    for round_no in range(max(1, args.rounds)):
        if args.rounds > 1:
            print(f"\n== round {round_no + 1} of {args.rounds}", flush=True)
        order = ["postvak", "postfix"] if round_no % 2 == 0 else ["postfix", "postvak"]
        for which in order:
            if which == "postvak":
                ours_runs.append(bench_postvak(args.quick, args.only, args.py_spy, args.gil, args.filter_workers,
                                               args.messages, spam=not args.no_spam))
            elif not args.no_postfix:
                theirs = bench_postfix(args.quick, args.only, args.messages)
                if theirs:
                    theirs_runs.append(theirs)
    if len(ours_runs) > 1:
        print(f"\nmedians of {len(ours_runs)} rounds, msg/s (accept, delivered+visible):")
        for key in ours_runs[0]:
            acc, e2e = _medians([run[key] for run in ours_runs])
            print(f"  postvak {label(*key)}: {acc:7.1f}  {e2e:7.1f}")
            if theirs_runs:
                pacc, pe2e = _medians([run[key] for run in theirs_runs])
                print(f"  postfix {label(*key)}: {pacc:7.1f}  {pe2e:7.1f}")
    if theirs_runs:
        print("\nratio postvak/postfix (accept, delivered+visible)" + (", of the medians; each round's in brackets:"
                                                                      if len(theirs_runs) > 1 else ":"))
        for key in ours_runs[0]:
            acc, e2e = _medians([run[key] for run in ours_runs])
            pacc, pe2e = _medians([run[key] for run in theirs_runs])
            rounds = ""
            if len(theirs_runs) > 1:
                rounds = "  [" + " ".join(f"{o[key][1] / t[key][1]:.2f}"
                                          for o, t in zip(ours_runs, theirs_runs, strict=False)) + "]"
            print(f"  {label(*key)}: {acc / pacc:5.2f}  {e2e / pe2e:5.2f}{rounds}")
    return 0


def _medians(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


if __name__ == "__main__":
    raise SystemExit(main())
