"""IDLE hears a delivery that another process committed to the same SQLite file (the
embedded default has no NOTIFY: store/sqlite_listen.py polls the change log)."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from postvak.store import messages, open_store
from tests.servers.imap.harness import message


def _deliver_elsewhere(db: str, blobs: str, account_id: int, mailbox_id: int, raw: bytes) -> None:
    store = open_store(f"sqlite:///{db}", blob_backend="files", blob_dir=blobs)
    try:
        store.write(messages.ingest, account_id, mailbox_id, raw)
    finally:
        store.close()


def test_idle_wakes_for_a_delivery_by_another_process(env, tmp_path: Path) -> None:
    env.deliver(message("first"))
    c = env.client()
    c.select()
    c.send(b"i IDLE\r\n")
    c.wait_for(b"+ idling")
    mb = env.mailbox()
    proc = mp.get_context("spawn").Process(
        target=_deliver_elsewhere,
        args=(str(tmp_path / "s.db"), str(tmp_path / "blobs"), env.account.id, mb.id, message("second")))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    # Only the change log can tell this session: nothing in this process wrote.
    assert b"* 2 EXISTS" in c.wait_for(b"EXISTS", timeout=5)
    c.send(b"DONE\r\n")
    assert c.reply("i").ok
    fetched = c.cmd("FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert b"second" in b"".join(fetched.untagged)
