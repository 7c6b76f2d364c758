"""servers/smtp/limits.py on a real SQLite store: per-user overrides in the state table
(scope "limits") over the settings' defaults, and the daily counter."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from postvak.servers.smtp import limits
from postvak.store import accounts, open_store, state


@pytest.fixture()
def store(tmp_path: Path):
    s = open_store(f"sqlite:///{tmp_path}/s.db", blob_dir=str(tmp_path / "blobs"))
    s.migrate()
    s.write(accounts.add_domain, "example.test")
    s.write(accounts.add_account, "u@example.test", "x")
    yield s
    s.close()


def test_overrides_over_defaults(store) -> None:
    acct = store.read(accounts.get_account, "u@example.test")
    base = limits.UserLimits(per_day=1000, recipients=100)
    key = limits.day_key()
    assert store.read(limits.for_submission, acct.id, base, key) == limits.UserLimits(1000, 100, 0)
    assert store.write(limits.set_overrides, acct.id, {"recipients": 5}) == {"recipients": 5}
    assert store.write(limits.set_overrides, acct.id, {"per_day": 0}) == {"recipients": 5, "per_day": 0}
    assert store.read(state.get, "limits", acct.id, "submission") == {"recipients": 5, "per_day": 0}
    store.write(limits.count_sent, acct.id, key)
    store.write(limits.count_sent, acct.id, key, 2)
    assert store.read(limits.for_submission, acct.id, base, key) == limits.UserLimits(0, 5, 3)
    assert store.write(limits.set_overrides, acct.id, {"recipients": None, "per_day": None}) == {}
    assert store.read(state.get, "limits", acct.id, "submission") is None  # nothing left behind
    assert store.read(limits.for_submission, acct.id, base, key).per_day == 1000


def test_bad_values_refused(store) -> None:
    acct = store.read(accounts.get_account, "u@example.test")
    with pytest.raises(ValueError):
        store.write(limits.set_overrides, acct.id, {"per_day": -1})
    with pytest.raises(ValueError):
        store.write(limits.set_overrides, acct.id, {"speed": 3})
    store.write(state.put, "limits", acct.id, "submission", {"per_day": "lots", "recipients": 7})
    assert store.read(limits.get_overrides, acct.id) == {"recipients": 7}  # a bad entry is ignored


def test_day_key_and_defaults() -> None:
    assert limits.day_key(datetime(2026, 3, 1, 23, 59, tzinfo=UTC)) == "sent:2026-03-01"
    assert limits.defaults(None) == limits.UserLimits(0, 0)
