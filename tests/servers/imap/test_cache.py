"""The shared per-mailbox state (servers/imap/mailbox_cache.py) and the flags-only FETCH that
answers from the session's view: both must stay exact whoever changes the mailbox."""

from __future__ import annotations

import re

from postvak.servers.imap.mailbox_cache import cache_of
from postvak.store import messages, open_store
from tests.servers.imap.harness import message


def _flags_by_seq(reply) -> dict[int, bytes]:
    out = {}
    for line in reply.untagged:
        m = re.match(rb"\* (\d+) FETCH \(.*FLAGS \(([^)]*)\)", line)
        if m:
            out[int(m.group(1))] = m.group(2)
    return out


def _exists(reply) -> int:
    return next(int(line.split()[1]) for line in reply.untagged if line.endswith(b"EXISTS"))


def test_second_select_uses_the_shared_state_and_sees_other_sessions_changes(env) -> None:
    for s in "abc":
        env.deliver(message(s))
    one, two = env.client(), env.client()
    one.select()
    cache = cache_of(env.ctx)
    mb = env.mailbox()
    assert mb.id in cache
    one.cmd("STORE 2 +FLAGS.SILENT (\\Flagged)")
    one.cmd("STORE 3 +FLAGS.SILENT (\\Deleted)")
    one.cmd("EXPUNGE")
    env.deliver(message("d"), flags=frozenset({"\\Seen"}))
    r = two.select()
    assert _exists(r) == 3
    flags = _flags_by_seq(two.cmd("FETCH 1:* (FLAGS)"))
    assert flags == {1: b"", 2: b"\\Flagged", 3: b"\\Seen"}
    assert two.cmd("UID FETCH 1:* (UID)").untagged == [
        b"* 1 FETCH (UID 1)", b"* 2 FETCH (UID 2)", b"* 3 FETCH (UID 4)"]


def test_changes_from_another_process_are_seen_without_notification(env, tmp_path) -> None:
    """A second Store on the same SQLite file publishes nothing to the server's bus, like
    another process: SELECT and the flags-only FETCH must still see its writes."""
    for s in "ab":
        env.deliver(message(s))
    one = env.client()
    one.select()
    assert _flags_by_seq(one.cmd("FETCH 1:* (FLAGS)")) == {1: b"", 2: b""}
    other = open_store(f"sqlite:///{tmp_path}/s.db", blob_backend="files", blob_dir=str(tmp_path / "blobs"))
    try:
        mb = env.mailbox()
        other.write(messages.set_flags, mb.id, [2], "add", ["\\Answered"])
        # FETCH sees the new flag although no notification arrived
        assert _flags_by_seq(one.cmd("FETCH 1:* (FLAGS)"))[2] == b"\\Answered"
        other.write(messages.ingest, env.account.id, mb.id, message("c"))
        other.write(messages.set_flags, mb.id, [1], "add", ["\\Deleted"])
        other.write(messages.expunge, mb.id, None)
        two = env.client()
        r = two.select()  # the cache (held by `one`) is behind: brought forward, not trusted
        assert _exists(r) == 2
        assert two.cmd("UID FETCH 1:* (UID FLAGS)").untagged == [
            b"* 1 FETCH (UID 2 FLAGS (\\Answered))", b"* 2 FETCH (UID 3 FLAGS ())"]
    finally:
        other.close()


def test_store_writes_outside_the_runner_reach_the_cache(env) -> None:
    """A write through the Store API directly (same process, not the runner) notifies."""
    env.deliver(message("a"))
    one = env.client()
    one.select()
    mb = env.mailbox()
    env.store.write(messages.set_flags, mb.id, [1], "add", ["$Label1"])
    env.run(__import__("asyncio").sleep(0.01))  # the bridge delivers on the loop
    two = env.client()
    r = two.select()
    assert any(b"$Label1" in line for line in r.untagged if line.startswith(b"* FLAGS"))
    assert _flags_by_seq(two.cmd("FETCH 1 (FLAGS)")) == {1: b"$Label1"}


def test_state_is_dropped_when_no_session_holds_it(env) -> None:
    env.deliver(message("a"))
    env.mailbox("INBOX")
    env.client().cmd("CREATE Other")
    one, two = env.client(), env.client()
    one.select()
    two.select()
    cache = cache_of(env.ctx)
    inbox = env.mailbox().id
    assert inbox in cache
    one.select("Other")
    assert inbox in cache
    two.cmd("UNSELECT")
    assert inbox not in cache
    one.cmd("LOGOUT")
    env.run(__import__("asyncio").sleep(0.01))
    assert env.mailbox("Other").id not in cache


def test_reselecting_the_same_mailbox_keeps_the_state(env) -> None:
    env.deliver(message("a"))
    one = env.client()
    one.select()
    cache = cache_of(env.ctx)
    before = cache._states[env.mailbox().id]
    r = one.select()
    assert r.ok and _exists(r) == 1
    assert cache._states[env.mailbox().id] is before


def test_flags_fetch_with_pending_expunge_and_changedsince(env) -> None:
    for s in "abc":
        env.deliver(message(s))
    one, two = env.client(), env.client()
    one.select()
    two.select()
    one.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)")
    one.cmd("EXPUNGE")
    # RFC 3501 7.4.1: no EXPUNGE during FETCH; the expunged message is not answered
    r = two.cmd("FETCH 1:3 (UID FLAGS)")
    assert not r.find("EXPUNGE")
    assert r.untagged[-1] == b"* 3 FETCH (UID 3 FLAGS ())"
    two.cmd("NOOP")
    top = env.mailbox().highestmodseq
    one.cmd("STORE 1 +FLAGS.SILENT (\\Seen)")
    two.cmd("NOOP")
    r = two.cmd(f"FETCH 1:* (UID FLAGS) (CHANGEDSINCE {top})")
    assert [line for line in r.untagged if b"FETCH" in line] == [
        b"* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (%d))" % (top + 1)]
