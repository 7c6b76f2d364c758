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
    assert flags == {1: b"", 2: b"\\Flagged", 3: b"\\Seen \\Recent"}  # `two` is the first told of "d"
    assert two.cmd("UID FETCH 1:* (UID)").untagged == [
        b"* 1 FETCH (UID 1)", b"* 2 FETCH (UID 2)", b"* 3 FETCH (UID 4)"]


def test_changes_from_another_process_are_seen_without_notification(env, tmp_path) -> None:
    """A second Store on the same SQLite file publishes nothing to the server's bus, like
    another process: SELECT and the flags-only FETCH must still see its writes."""
    for s in "ab":
        env.deliver(message(s))
    one = env.client()
    one.select()
    assert _flags_by_seq(one.cmd("FETCH 1:* (FLAGS)")) == {1: b"\\Recent", 2: b"\\Recent"}
    other = open_store(f"sqlite:///{tmp_path}/s.db", blob_backend="files", blob_dir=str(tmp_path / "blobs"))
    try:
        mb = env.mailbox()
        other.write(messages.set_flags, mb.id, [2], "add", ["\\Answered"])
        # FETCH sees the new flag although no notification arrived
        assert _flags_by_seq(one.cmd("FETCH 1:* (FLAGS)"))[2] == b"\\Answered \\Recent"
        other.write(messages.ingest, env.account.id, mb.id, message("c"))
        other.write(messages.set_flags, mb.id, [1], "add", ["\\Deleted"])
        other.write(messages.expunge, mb.id, None)
        two = env.client()
        r = two.select()  # the cache (held by `one`) is behind: brought forward, not trusted
        assert _exists(r) == 2
        assert two.cmd("UID FETCH 1:* (UID FLAGS)").untagged == [
            b"* 1 FETCH (UID 2 FLAGS (\\Answered))", b"* 2 FETCH (UID 3 FLAGS (\\Recent))"]
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


def test_state_is_dropped_when_no_session_holds_it(env, monkeypatch) -> None:
    import postvak.servers.imap.mailbox_cache as mc

    monkeypatch.setattr(mc, "IDLE_KEEP", 0)  # keep no unheld state (see the test below)
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


def test_released_states_are_kept_for_the_next_select_within_bounds(env, monkeypatch) -> None:
    """The next session's SELECT catches the kept state up (one small read) instead of
    reading every message; the oldest unheld states go beyond IDLE_KEEP / IDLE_MESSAGES /
    IDLE_SECONDS."""
    import postvak.servers.imap.mailbox_cache as mc

    for s in "abc":
        env.deliver(message(s))
    for name in ("B1", "B2"):
        env.client().cmd(f"CREATE {name}")
        env.deliver(message("x"), mailbox=name)
    cache = cache_of(env.ctx)
    inbox = env.mailbox().id
    one = env.client()
    one.select()
    one.cmd("LOGOUT")
    env.run(__import__("asyncio").sleep(0.01))
    assert inbox in cache  # kept, nobody holds it
    env.deliver(message("d"), flags=frozenset({"\\Seen"}))  # it falls behind while unheld
    full_reads: list[int] = []
    real = mc.full_read
    monkeypatch.setattr(mc, "full_read", lambda tx, i: full_reads.append(i) or real(tx, i))
    two = env.client()
    r = two.select()
    assert _exists(r) == 4 and full_reads == []
    _view_matches_store(env, two)
    two.cmd("LOGOUT")
    env.run(__import__("asyncio").sleep(0.01))
    # bounds: two kept at most, so the oldest of three released goes
    monkeypatch.setattr(mc, "IDLE_KEEP", 2)
    for name in ("B1", "B2"):
        c = env.client()
        c.select(name)
        c.cmd("LOGOUT")
        env.run(__import__("asyncio").sleep(0.01))
    assert inbox not in cache and env.mailbox("B1").id in cache and env.mailbox("B2").id in cache
    monkeypatch.setattr(mc, "IDLE_MESSAGES", 1)  # more messages kept than allowed: only one state
    env.deliver(message("y"), mailbox="B1")  # a notification trims too
    assert len([m for m in (env.mailbox("B1").id, env.mailbox("B2").id) if m in cache]) == 1
    monkeypatch.setattr(mc, "IDLE_SECONDS", 0.0)
    env.deliver(message("z"), mailbox="B2")
    assert env.mailbox("B1").id not in cache and env.mailbox("B2").id not in cache


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


def _view_matches_store(env, client) -> None:
    """The session's numbering and flags equal a fresh read of the store."""
    r = client.cmd("FETCH 1:* (UID FLAGS)")
    mb = env.mailbox()
    from postvak.store import fetchmeta

    metas = env.store.read(lambda tx: fetchmeta.fetch_meta(tx, mb.id, fetchmeta.all_uids(tx, mb.id)))
    want = [b"* %d FETCH (UID %d FLAGS (%s))" % (i + 1, m.uid, " ".join(sorted(m.flags)).encode())
            for i, m in enumerate(metas)]
    got = [line.replace(b" \\Recent", b"").replace(b"\\Recent", b"") for line in r.untagged if b" FETCH " in line]
    assert got == want  # \Recent is the session's own (RFC 3501 2.3.2)


def test_sync_from_the_shared_log_matches_the_store(env, monkeypatch) -> None:
    import postvak.servers.imap.mailbox_cache as mc

    for s in "abcdef":
        env.deliver(message(s))
    one, two, three = env.client(), env.client(), env.client()
    for c in (one, two, three):
        c.select()
    one.cmd("STORE 1:3 +FLAGS.SILENT (\\Seen)")
    env.deliver(message("g"))
    two.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)")
    one.cmd("STORE 4 +FLAGS.SILENT (\\Deleted)")
    one.cmd("EXPUNGE")
    env.deliver(message("h"), flags=frozenset({"\\Flagged"}))
    import postvak.servers.imap.session as session_module

    store_syncs = []
    real = session_module.sync_read
    monkeypatch.setattr(session_module, "sync_read", lambda *a: store_syncs.append(1) or real(*a))
    r = three.cmd("NOOP")
    assert store_syncs == []  # caught up from the shared log, not by its own store read
    text = b"\n".join(r.untagged)
    assert b"* 4 EXPUNGE" in text and b"* 2 EXPUNGE" in text and b"EXISTS" in text
    for c in (one, two, three):
        c.cmd("NOOP")
        _view_matches_store(env, c)
    # a tiny log: sessions far behind read the store instead, with the same outcome
    monkeypatch.setattr(mc, "LOG_MAX", 1)
    one.cmd("STORE 1:* +FLAGS.SILENT (\\Answered)")
    env.deliver(message("i"))
    for c in (two, three):
        c.cmd("NOOP")
        _view_matches_store(env, c)


def test_changes_after_drops_a_message_changed_then_expunged() -> None:
    from postvak.servers.imap.mailbox_cache import MailboxState
    from postvak.store.types import Mailbox

    def mb(modseq: int) -> Mailbox:
        return Mailbox(1, 1, "INBOX", None, True, True, 7, 10, modseq, 0, 0, 0)

    class M:
        def __init__(self, uid, modseq, flags=frozenset()):
            self.uid, self.modseq, self.flags = uid, modseq, flags

    st = MailboxState(mb(5))
    st.load(mb(5), [M(1, 2), M(2, 3)])
    assert st.apply(mb(6), [M(3, 6)], [])
    assert st.apply(mb(8), [M(1, 7, frozenset({"\\Seen"}))], [3])
    changed, gone = st.changes_after(5)
    assert [(m.uid, m.modseq) for m in changed] == [(1, 7)] and gone == [3]
    assert st.changes_after(4) is None  # before the log starts
    assert st.uids == [1, 2] and st.flags[1] == frozenset({"\\Seen"})
    assert not st.apply(mb(9), [M(0, 9)], [])  # an unknown uid below the top: not exact


def test_select_reads_the_row_and_the_states_catch_up_at_once(env, monkeypatch) -> None:
    """A SELECT of a mailbox whose state is behind makes one store read (select_read), not
    the row's and then the catch-up's; the new view is the store's."""
    import postvak.servers.imap.mailbox_cache as mc

    for s in "abcd":
        env.deliver(message(s))
    one, two = env.client(), env.client()
    one.select()
    one.cmd("STORE 1 +FLAGS.SILENT (\\Seen)")
    one.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)")
    one.cmd("EXPUNGE")
    env.deliver(message("e"), flags=frozenset({"\\Flagged"}))
    reads: list[object] = []
    for name in ("read", "read_here"):  # on reader threads or on the reactor's
        real_read = getattr(env.runner, name)

        async def counting(fn, *args, _read=real_read, **kwargs):
            reads.append(fn)
            return await _read(fn, *args, **kwargs)

        monkeypatch.setattr(env.runner, name, counting)
    r = two.select()
    assert _exists(r) == 4
    assert [f for f in reads if f is not mc.select_read] == [] and reads.count(mc.select_read) == 1
    _view_matches_store(env, two)
    one.cmd("NOOP")
    _view_matches_store(env, one)
    # no such mailbox: still NO [NONEXISTENT] from the same read
    r = two.cmd("SELECT Nowhere")
    assert r.status == "NO" and "NONEXISTENT" in r.text


def test_select_catch_up_onto_a_state_that_moved_is_not_applied(env, monkeypatch) -> None:
    """The state moves on while SELECT's read is in flight: the catch-up, read against the
    older version, is dropped (applying it twice would be wrong) and the view stays exact."""
    import postvak.servers.imap.mailbox_cache as mc

    for s in "abc":
        env.deliver(message(s))
    one, two = env.client(), env.client()
    one.select()
    one.cmd("STORE 1 +FLAGS.SILENT (\\Flagged)")
    cache = cache_of(env.ctx)
    st = cache._states[env.mailbox().id]
    real_read = env.runner.read_here  # SELECT's read runs on the reactor thread
    moved: list[int] = []

    async def racing(fn, *args, **kwargs):
        result = await real_read(fn, *args, **kwargs)
        if fn is mc.select_read and not moved:
            assert result[1] is not None  # a catch-up was read against the state's version
            env.store.write(messages.set_flags, env.mailbox().id, [2], "add", ["$Late"])
            await cache.snapshot(env.mailbox())  # the state moves past that version
            moved.append(st.highestmodseq)
        return result

    monkeypatch.setattr(env.runner, "read_here", racing)
    r = two.select()
    assert moved and _exists(r) == 3
    _view_matches_store(env, two)
    assert _flags_by_seq(two.cmd("FETCH 1:3 (FLAGS)"))[2] == b"$Late"
