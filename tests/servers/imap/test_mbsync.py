"""Debian isync (mbsync) against `postvak serve` over IMAPS: a full two-way sync of a
1,000-message account, then changes on both sides synced back, with no errors and no
duplicates. Fails (not skips) without mbsync when CI is set."""

from __future__ import annotations

import email
import imaplib
import re
import subprocess
from pathlib import Path

import pytest

from postvak.store import accounts, mailboxes, messages
from tests.support.tools import need_tool

USER, PASSWORD = "sync@example.test", "sync-secret-1"
N = 1000



def need(tool: str) -> str:
    return need_tool(tool, "isync")


def raw(i: int) -> bytes:
    return (f"From: Sender {i} <s{i}@remote.test>\r\nTo: {USER}\r\nSubject: sync test {i}\r\n"
            f"Message-ID: <sync{i}@remote.test>\r\nDate: Fri, 28 Nov 2025 10:00:00 +0000\r\n\r\n"
            f"body of message {i}\r\n").encode()


@pytest.fixture(scope="module")
def account(mail_server):
    mail_server.add_user(USER, PASSWORD)
    store = mail_server.open_store()
    try:
        acct = store.read(accounts.get_account, USER)
        inbox = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
        for start in range(0, N, 250):
            jobs = [(messages.ingest, (acct.id, inbox.id, raw(i)), {}) for i in range(start, min(start + 250, N))]
            results = store.write_batch(jobs)
            assert not [r for r in results if isinstance(r, Exception)]
    finally:
        store.close()
    return mail_server


def write_config(server, home: Path) -> Path:
    (home / "mail").mkdir(parents=True, exist_ok=True)
    conf = home / "mbsyncrc"
    conf.write_text(f"""IMAPAccount postvak
Host 127.0.0.1
Port {server.port("imaps")}
User {USER}
Pass {PASSWORD}
SSLType IMAPS
CertificateFile {server.cert_path()}
PipelineDepth 16

IMAPStore remote
Account postvak

MaildirStore local
Path {home}/mail/
Inbox {home}/mail/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns INBOX
Create Both
Expunge Both
SyncState *
""")
    return conf


def mbsync(conf: Path) -> str:
    proc = subprocess.run([need("mbsync"), "-c", str(conf), "-a"], capture_output=True, text=True, timeout=240)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Error" not in out and "error" not in out.lower().replace("errors: 0", ""), out
    return out


def local_files(home: Path) -> dict[str, Path]:
    """Message-ID -> file of the local INBOX; asserts there are no duplicates."""
    found: dict[str, Path] = {}
    for sub in ("cur", "new"):
        for path in (home / "mail" / "INBOX" / sub).iterdir():
            mid = email.message_from_bytes(path.read_bytes())["Message-ID"]
            assert mid not in found, f"duplicate {mid}"
            found[mid] = path
    return found


def maildir_flags(path: Path) -> str:
    return path.name.partition(":2,")[2]


def remote(server) -> imaplib.IMAP4_SSL:
    conn = imaplib.IMAP4_SSL("127.0.0.1", server.port("imaps"), ssl_context=server.client_tls_context(), timeout=60)
    conn.login(USER, PASSWORD)
    conn.select("INBOX")
    return conn


def remote_state(server) -> dict[str, str]:
    """Message-ID -> FLAGS on the server; asserts there are no duplicates."""
    conn = remote(server)
    try:
        typ, data = conn.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        assert typ == "OK"
        state: dict[str, str] = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            flags = re.search(rb"FLAGS \(([^)]*)\)", item[0])
            mid = email.message_from_bytes(item[1])["Message-ID"]
            assert mid not in state, f"duplicate {mid} on the server"
            state[mid] = flags.group(1).decode() if flags else ""
        return state
    finally:
        conn.logout()


def test_mbsync_two_way(account, tmp_path) -> None:
    server = account
    conf = write_config(server, tmp_path)
    mbsync(conf)
    files = local_files(tmp_path)
    assert len(files) == N
    assert sorted(files) == sorted(f"<sync{i}@remote.test>" for i in range(N))
    mbsync(conf)  # nothing to do: still exactly N on each side
    assert len(local_files(tmp_path)) == N and len(remote_state(server)) == N

    # Local side: mark one seen and flagged, delete one, add a new message.
    path = files["<sync1@remote.test>"]
    path.rename(path.parent.parent / "cur" / (path.name.partition(":2,")[0] + ":2,FS"))
    files["<sync2@remote.test>"].unlink()
    new = tmp_path / "mail" / "INBOX" / "new" / "1764300000.local.host"
    new.write_bytes(raw(5000))
    # Server side: flag one, delete one.
    conn = remote(server)
    try:
        typ, data = conn.uid("SEARCH", "HEADER", "Message-ID", "sync3@remote.test")
        assert typ == "OK" and len(data[0].split()) == 1
        conn.uid("STORE", data[0].decode(), "+FLAGS", "(\\Flagged)")
        typ, data = conn.uid("SEARCH", "SUBJECT", "\"sync test 4\"")
        uid4 = [u for u in data[0].split()]
        typ, data = conn.uid("SEARCH", "HEADER", "Message-ID", "sync4@remote.test")
        assert data[0].split() == uid4[:1] and len(data[0].split()) == 1
        conn.uid("STORE", data[0].decode(), "+FLAGS", "(\\Deleted)")
        assert conn.expunge()[0] == "OK"
    finally:
        conn.logout()

    mbsync(conf)
    files = local_files(tmp_path)
    state = remote_state(server)
    assert set(files) == set(state)
    assert len(files) == N - 2 + 1
    assert "<sync2@remote.test>" not in state and "<sync4@remote.test>" not in files
    assert "<sync5000@remote.test>" in state
    assert "\\Seen" in state["<sync1@remote.test>"] and "\\Flagged" in state["<sync1@remote.test>"]
    assert "F" in maildir_flags(files["<sync3@remote.test>"])
    assert "S" not in maildir_flags(files["<sync3@remote.test>"])

    mbsync(conf)  # settled: another run changes nothing
    assert local_files(tmp_path).keys() == files.keys()
    assert remote_state(server) == state
