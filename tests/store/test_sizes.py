"""store.stats(tx): the figures `postvak status` prints."""

from __future__ import annotations

from postvak.store import messages, queue, stats
from tests.store.helpers import make_raw


def test_stats_counts_messages_queue_and_sizes(alice) -> None:
    store, account, inbox = alice
    empty = store.read(stats)
    assert empty["messages"] == 0 and empty["queue"] == 0 and empty["blob_bytes"] == 0
    assert empty["database_bytes"] > 0
    raws = [make_raw(i) for i in range(3)]
    for raw in raws:
        store.write(messages.ingest, account.id, inbox.id, raw)
    store.write(messages.ingest, account.id, inbox.id, raws[0])  # same bytes: one blob
    store.write(queue.enqueue, "alice@example.test", ["bob@remote.test"], b"queued bytes")
    got = store.read(stats)
    assert got["messages"] == 4
    assert got["queue"] == 1
    assert got["blob_bytes"] == sum(len(r) for r in raws) + len(b"queued bytes")
    assert set(got) == {"messages", "queue", "database_bytes", "blob_bytes"}
