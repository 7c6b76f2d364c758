"""A session's own STORE / EXPUNGE need no store read to sync (selected.py ``settle_own``),
and any change of another session or process still reaches the client."""

from __future__ import annotations

from typing import Any

from postvak.store import mailboxes, messages, open_store
from tests.servers.imap.harness import message


def _count_reads(env) -> list[Any]:
    """The functions the runner reads with from now on, on reader threads or on the
    reactor's (read_here); the reads still run."""
    seen: list[Any] = []
    for name in ("read", "read_here"):
        read = getattr(env.runner, name)

        async def counting(fn: Any, *args: Any, _read: Any = read, **kwargs: Any) -> Any:
            seen.append(fn)
            return await _read(fn, *args, **kwargs)

        setattr(env.runner, name, counting)
    return seen


def _told(lines: list[bytes], seq: int, flag: bytes) -> int:
    """How many untagged FETCH FLAGS for ``seq`` name ``flag`` (\\Recent may come along)."""
    return sum(1 for line in lines if line.startswith(b"* %d FETCH (FLAGS (" % seq) and flag in line)


def test_own_store_and_expunge_sync_without_a_read(env) -> None:
    for s in "abc":
        env.deliver(message(s))
    c = env.client()
    c.select()
    reads = _count_reads(env)
    r = c.cmd("STORE 1:2 +FLAGS (\\Deleted)")
    assert r.ok and len(r.untagged) == 2 and reads == []
    r = c.cmd("EXPUNGE")
    assert r.ok and r.untagged == [b"* 2 EXPUNGE", b"* 1 EXPUNGE"] and reads == []
    view = c.session.view
    assert view.known_modseq == env.mailbox().highestmodseq and not view.stale
    assert c.cmd("NOOP").untagged == []
    # the view is exact: a flags-only FETCH answered from it matches the store
    reads.clear()
    assert c.cmd("FETCH 1:* (UID FLAGS)").untagged == [b"* 1 FETCH (UID 3 FLAGS (\\Recent))"]
    assert reads == [mailboxes.get_mailbox_by_id]  # is_current: the row agrees with the view


def test_another_sessions_store_in_between_is_read_and_told(env) -> None:
    for s in "ab":
        env.deliver(message(s))
    one, two = env.client(), env.client()
    one.select()
    two.select()
    two.cmd("STORE 2 +FLAGS.SILENT (\\Flagged)")
    r = one.cmd("STORE 1 +FLAGS (\\Seen)")
    assert _told(r.untagged, 1, b"\\Seen") == 1
    # STORE forbids nothing but EXPUNGE: the other session's change comes with it or at NOOP
    told = r.untagged + one.cmd("NOOP").untagged
    assert _told(told, 2, b"\\Flagged") == 1


def test_stores_of_two_sessions_sent_together(env) -> None:
    """Both STOREs are queued before the writer runs (one group commit, usually): each
    session is told the other's change, once."""
    for s in "ab":
        env.deliver(message(s))
    one, two = env.client(), env.client()
    one.select()
    two.select()
    one.send("x1 STORE 1 +FLAGS ($A)\r\n")
    two.send("x2 STORE 2 +FLAGS ($B)\r\n")
    told_one = one.reply("x1").untagged + one.cmd("NOOP").untagged
    told_two = two.reply("x2").untagged + two.cmd("NOOP").untagged
    assert _told(told_one, 1, b"$A") == 1 and _told(told_one, 2, b"$B") == 1
    assert _told(told_two, 2, b"$B") == 1 and _told(told_two, 1, b"$A") == 1


def test_a_write_of_another_process_leaves_a_gap_and_is_read(env, tmp_path) -> None:
    """No notification comes for another process's commit (SQLite): its modseq is a gap
    in ours, so the sync after our own STORE reads the store and tells the change."""
    for s in "ab":
        env.deliver(message(s))
    c = env.client()
    c.select()
    other = open_store(str(env.store.url))
    try:
        other.write(messages.set_flags, env.mailbox().id, [2], "add", ["\\Answered"])
    finally:
        other.close()
    r = c.cmd("STORE 1 +FLAGS (\\Seen)")
    told = r.untagged + c.cmd("NOOP").untagged
    assert _told(told, 2, b"\\Answered") == 1
    assert c.session.view.known_modseq == env.mailbox().highestmodseq


def test_unchanged_store_and_empty_expunge_change_nothing(env) -> None:
    env.deliver(message("a"))
    c = env.client()
    c.select()
    before = c.session.view.known_modseq
    assert c.cmd("STORE 1 -FLAGS (\\Deleted)").ok and c.cmd("EXPUNGE").untagged == []
    assert c.session.view.known_modseq == before == env.mailbox().highestmodseq


def test_sessions_checking_at_once_share_one_mailbox_row_read(env) -> None:
    """is_current (flags-only FETCH / SEARCH): sessions of a mailbox asking together wait
    for one read of its row; a commit notified meanwhile still makes a view not current."""
    import asyncio

    from postvak.servers.imap.selected import is_current

    env.deliver(message("a"))
    one, two = env.client(), env.client()
    one.select()
    two.select()
    views = [one.session.view, two.session.view]
    reads = _count_reads(env)

    async def both() -> list[bool]:
        return list(await asyncio.gather(*(is_current(env.ctx, v) for v in views)))

    assert env.run(both()) == [True, True]
    assert reads == [mailboxes.get_mailbox_by_id]
    env.deliver(message("b"))
    one.settle()  # the notification reaches the views
    assert env.run(both()) == [False, False]
    assert b"* 2 EXISTS" in one.cmd("FETCH 1:* (UID FLAGS)").untagged
