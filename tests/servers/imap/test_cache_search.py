"""SEARCH on flags, sequence numbers, UIDs and MODSEQ answered from the session's view
(servers/imap/search.py) must give what the store's evaluation gives."""

from __future__ import annotations

import pytest

from postvak.store import messages, open_store
from tests.servers.imap.harness import message

KEYS = [
    "ALL", "SEEN", "UNSEEN", "FLAGGED NOT SEEN", "OR DELETED KEYWORD $label1", "KEYWORD $Label1", "UNKEYWORD $label1",
    "NOT OR SEEN FLAGGED", "2:4 UNSEEN", "UID 3:* ANSWERED", "MODSEQ 1", "DRAFT", "NOT ALL", "RECENT",
    "KEYWORD Foo", "OR (SEEN FLAGGED) (UID 1 NOT ANSWERED)",
]


def _search(client, key: str) -> bytes:
    r = client.cmd(f"UID SEARCH {key}")
    assert r.ok, r
    return b"".join(line for line in r.untagged if line.startswith(b"* SEARCH"))


@pytest.fixture()
def seeded(env):
    flags = [set(), {"\\Seen"}, {"\\Flagged"}, {"\\Seen", "\\Flagged", "$Label1"}, {"\\Deleted"},
             {"\\Answered", "\\Seen"}, {"\\Draft", "$label1"}]
    for i, f in enumerate(flags):
        env.deliver(message(f"m{i}"), flags=frozenset(f))
    return env


def test_view_search_equals_store_search(seeded, monkeypatch) -> None:
    env = seeded
    one = env.client()
    one.select()
    from_view = {k: _search(one, k) for k in KEYS}
    import postvak.servers.imap.search as search_module

    monkeypatch.setattr(search_module, "_in_view", lambda key: False)  # the store evaluates
    from_store = {k: _search(one, k) for k in KEYS}
    assert from_view == from_store
    assert from_view["UNSEEN"] == b"* SEARCH 1 3 5 7"
    assert from_view["KEYWORD $Label1"] == b"* SEARCH 4 7"  # keywords compare case-insensitively


def test_view_search_sees_another_process_write(seeded, tmp_path) -> None:
    env = seeded
    one = env.client()
    one.select()
    assert _search(one, "FLAGGED").split()[2:] == [b"3", b"4"]
    other = open_store(f"sqlite:///{tmp_path}/s.db", blob_backend="files", blob_dir=str(tmp_path / "blobs"))
    try:
        other.write(messages.set_flags, env.mailbox().id, [1], "add", ["\\Flagged"])
    finally:
        other.close()
    # no notification reached the server: the mailbox row shows the view is behind
    assert _search(one, "FLAGGED").split()[2:] == [b"1", b"3", b"4"]
