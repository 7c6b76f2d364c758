"""ActiveSync figures against a real `postvak serve`:
  1. initial Sync of a 10,000-message Inbox (window 512): time, requests, server RSS;
  2. Ping wake-up latency after an SMTP delivery;
  3. 1,000 concurrent parked Pings (one per device): server RSS per device.

    .venv/bin/python bench/bench_activesync.py [--quick]

Every step is bounded by a timeout; --quick uses 2,000 messages and 200 Pings.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import smtplib
import ssl
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from postvak.protocols.activesync import E, decode, encode  # noqa: E402
from tests.support.server import RunningServer  # noqa: E402

USER, PASSWORD = "bench@example.test", "bench-secret-1"
AUTH = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def post(port: int, device: str, cmd: str, tree, timeout: float = 120.0):
    ctx = ssl._create_unverified_context()
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, ssl=ctx), 30)
    try:
        body = encode(tree)
        q = urlencode({"Cmd": cmd, "User": USER, "DeviceId": device, "DeviceType": "Bench"})
        head = (f"POST /Microsoft-Server-ActiveSync?{q} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTH}\r\n"
                f"MS-ASProtocolVersion: 14.1\r\nContent-Type: application/vnd.ms-sync.wbxml\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        writer.write(head + body)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, payload = data.partition(b"\r\n\r\n")
    return decode(payload) if payload else None


def fill(server: RunningServer, n: int) -> None:
    from postvak.store import accounts, mailboxes, messages

    store = server.open_store()
    try:
        acc = store.read(accounts.get_account, USER)
        box = store.read(mailboxes.get_mailbox, acc.id, "INBOX")
        for start in range(0, n, 500):
            jobs = [(messages.ingest, (acc.id, box.id, (
                f"From: a@example.test\r\nTo: {USER}\r\nSubject: bench {i}\r\nMessage-ID: <b{i}@x>\r\n\r\n"
                f"body {i} " * 20 + "\r\n").encode()), {}) for i in range(start, min(n, start + 500))]
            store.write_batch(jobs)
    finally:
        store.close()


def deliver(server: RunningServer, subject: str) -> None:
    with smtplib.SMTP("127.0.0.1", server.port("smtp"), timeout=30) as s:
        s.sendmail("x@elsewhere.test", [USER], f"Subject: {subject}\r\n\r\nhi\r\n".encode())


async def initial_sync(server: RunningServer, inbox: str) -> tuple[float, int, int]:
    port = server.port("https")
    col = lambda key: E("AirSync:Sync", E("AirSync:Collections", E(  # noqa: E731
        "AirSync:Collection", E("AirSync:SyncKey", text=key), E("AirSync:CollectionId", text=inbox),
        E("AirSync:WindowSize", text=512))))
    started = time.monotonic()
    tree = await post(port, "syncer", "Sync", col("0"))
    key = tree.find("Collections").find("Collection").findtext("SyncKey")
    requests, items = 1, 0
    while True:
        tree = await post(port, "syncer", "Sync", col(key))
        requests += 1
        c = tree.find("Collections").find("Collection")
        key = c.findtext("SyncKey")
        cmds = c.find("Commands")
        items += len(cmds.children) if cmds is not None else 0
        if not c.has("MoreAvailable"):
            break
    return time.monotonic() - started, requests, items


def ping_tree(inbox: str, heartbeat: int = 300):
    return E("Ping:Ping", E("Ping:HeartbeatInterval", text=heartbeat), E("Ping:Folders", E(
        "Ping:Folder", E("Ping:Id", text=inbox), E("Ping:Class", text="Email"))))


async def ping_latency(server: RunningServer, inbox: str) -> float:
    task = asyncio.ensure_future(post(server.port("https"), "pinger", "Ping", ping_tree(inbox), 60))
    await asyncio.sleep(1.5)
    await asyncio.get_running_loop().run_in_executor(None, deliver, server, "wake up")
    delivered = time.monotonic()
    tree = await asyncio.wait_for(task, 30)
    assert tree.findtext("Status") == "2", tree
    return time.monotonic() - delivered  # from the SMTP 250 to the Ping answer


async def parked(server: RunningServer, inbox: str, n: int) -> tuple[int, int, float]:
    pid = server.proc.pid
    before = rss_kb(pid)
    async def one(i: int):
        return await post(server.port("https"), f"dev{i}", "Ping", ping_tree(inbox), 120)

    tasks = [asyncio.ensure_future(one(i)) for i in range(n)]
    await asyncio.sleep(min(30, 3 + n / 50))
    during = rss_kb(pid)
    started = time.monotonic()
    await asyncio.get_running_loop().run_in_executor(None, deliver, server, "wake everyone")
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 90)
    woke = time.monotonic() - started
    ok = sum(1 for r in results if not isinstance(r, BaseException) and r is not None
             and r.findtext("Status") == "2")
    return during - before, ok, woke


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n_msgs, n_pings = (2000, 200) if args.quick else (10_000, 1000)
    env = {"POSTVAK_ACTIVESYNC__REQUIRE_PROVISIONING": "false"}
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(var, None)
    server = RunningServer(Path(tempfile.mkdtemp(prefix="bench-eas-")), env=env)
    try:
        server.add_user(USER, PASSWORD)
        fill(server, n_msgs)

        async def run() -> None:
            tree = await post(server.port("https"), "syncer", "FolderSync",
                              E("FolderHierarchy:FolderSync", E("FolderHierarchy:SyncKey", text="0")))
            inbox = next(a.findtext("ServerId") for a in tree.find("Changes").findall("Add")
                         if a.findtext("Type") == "2")
            secs, requests, items = await initial_sync(server, inbox)
            print(f"initial Sync of {n_msgs} messages: {secs:.1f} s, {requests} requests, {items} items, "
                  f"server RSS {rss_kb(server.proc.pid) / 1024:.0f} MB")
            latency = await ping_latency(server, inbox)
            print(f"Ping wake-up after SMTP delivery: {latency * 1000:.0f} ms")
            grown, ok, woke = await parked(server, inbox, n_pings)
            print(f"{n_pings} parked Pings: RSS +{grown / 1024:.1f} MB ({grown / n_pings:.1f} KB per device), "
                  f"{ok} woken by one delivery in {woke:.2f} s")

        asyncio.run(asyncio.wait_for(run(), 900))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    threading.stack_size(512 * 1024)
    sys.exit(main())
