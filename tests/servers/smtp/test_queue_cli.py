"""`postvak queue list|show|retry|delete|flush` through the real command on a real store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from postvak.config import load_settings
from postvak.store import open_store, queue
from postvak.store.errors import NotFound
from tests.support.server import run_cli


@pytest.fixture()
def env(tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    run_cli(None, "init", str(tmp_path / "srv"), "--hostname", "mail.example.test")
    cfg = tmp_path / "srv" / "postvak.toml"
    s = load_settings(cfg)
    store = open_store(s.store.url, blob_backend=s.store.blob_backend, blob_dir=s.store.blob_dir)
    yield cfg, store
    store.close()


def test_list_show_retry_delete_flush(env: tuple[Path, Any]) -> None:
    cfg, store = env
    assert run_cli(cfg, "queue", "list").stdout.strip() == "queue is empty"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    a = store.write(queue.enqueue, "alice@example.test", ["bob@remote.test", "carol@remote.test"], b"Subject: a\r\n\r\nx\r\n",
                    not_before=later)
    b = store.write(queue.enqueue, "", ["dave@remote.test"], b"Subject: b\r\n\r\ny\r\n", not_before=later)
    store.write(queue.mark, a, {"bob@remote.test": ("pending", "4.3.0 451 try later")}, retry_at=later,
                error="bob@remote.test: 451 try later")

    rows = run_cli(cfg, "queue", "list").stdout.splitlines()
    assert [r.split("\t")[0] for r in rows] == [str(a), str(b)]
    assert "<alice@example.test>" in rows[0] and "2 pending: bob@remote.test, carol@remote.test" in rows[0]
    assert "<>" in rows[1]

    shown = run_cli(cfg, "queue", "show", str(a)).stdout
    assert "attempts: 1" in shown and "last error: bob@remote.test: 451 try later" in shown
    assert "recipient: bob@remote.test pending (4.3.0 451 try later)" in shown

    assert store.read(queue.due, dt.datetime.now(dt.UTC)) == []
    run_cli(cfg, "queue", "retry", str(a))
    assert [i.id for i in store.read(queue.due, dt.datetime.now(dt.UTC), 50, 3600)] == [a]

    assert run_cli(cfg, "queue", "flush").stdout.startswith("2 queue entries will be tried")
    assert len(store.read(queue.due, dt.datetime.now(dt.UTC), 50, 3600)) == 2
    run_cli(cfg, "queue", "delete", str(b))
    with pytest.raises(NotFound):
        store.read(queue.get, b)
    assert run_cli(cfg, "queue", "flush").stdout.startswith("1 queue entry")


def test_unknown_id_is_one_line_error(env: tuple[Path, Any]) -> None:
    cfg, _ = env
    for action in ("show", "retry", "delete"):
        proc = run_cli(cfg, "queue", action, "999", check=False)
        assert proc.returncode == 1 and proc.stderr.strip() == "postvak: no queue entry 999"
    proc = run_cli(cfg, "queue", "show", "abc", check=False)
    assert proc.returncode == 2
