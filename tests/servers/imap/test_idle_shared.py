"""Idle sessions share the per-mailbox state instead of copying it (issue #3: memory per
idle IDLE session): views point at the MailboxState's containers, copy them before their
first change of their own, and go back to sharing once a sync leaves them at the state's
version. Every session must still see exactly its own view of the mailbox."""

from __future__ import annotations

import re
from types import SimpleNamespace

from postvak.servers.imap.mailbox_cache import MailboxState, cache_of
from postvak.servers.imap.session import Selected
from tests.servers.imap.harness import message


def _view(client):
    state = client.session.state
    assert isinstance(state, Selected)
    return state.view


def _state(env):
    return cache_of(env.ctx)._states[env.mailbox().id]


def _flags_by_seq(reply) -> dict[int, bytes]:
    out = {}
    for line in reply.untagged:
        m = re.match(rb"\* (\d+) FETCH \(.*FLAGS \(([^)]*)\)", line)
        if m:  # \Recent is the session's, not the mailbox's: left out here
            out[int(m.group(1))] = b" ".join(f for f in m.group(2).split() if f != b"\\Recent")
    return out


def test_selected_views_share_the_state_until_they_change(env) -> None:
    for s in "abc":
        env.deliver(message(s))
    one, two = env.client(), env.client()
    one.select()
    two.select()
    st = _state(env)
    for c in (one, two):
        view = _view(c)
        assert view.shared and view.uids is st.uids and view.flags is st.flags and view.modseqs is st.modseqs
    lent_flags = st.flags
    r = one.cmd("STORE 2 +FLAGS (\\Flagged)")
    assert r.ok and _flags_by_seq(r) == {2: b"\\Flagged"}
    # the other session has not been told yet: its view (the lent containers) is unchanged
    assert _view(two).flags is lent_flags and lent_flags[2] == frozenset()
    r = two.cmd("NOOP")
    assert _flags_by_seq(r) == {2: b"\\Flagged"}
    one.cmd("NOOP")
    st = _state(env)
    assert st.flags is not lent_flags and st.flags[2] == frozenset({"\\Flagged"})
    for c in (one, two):  # both synced to the state's version: sharing its new containers again
        view = _view(c)
        assert view.shared and view.flags is st.flags and view.uids is st.uids
    assert _flags_by_seq(two.cmd("FETCH 1:* (FLAGS)")) == {1: b"", 2: b"\\Flagged", 3: b""}


def test_idle_session_wakes_with_exists_and_shares_again(env) -> None:
    for s in "ab":
        env.deliver(message(s))
    idle, other = env.client(), env.client()
    idle.select()
    idle.send(b"i IDLE\r\n")
    assert idle.wait_for(b"+ ").startswith(b"+ ")
    before = _view(idle).uids
    r = other.cmd(b"APPEND INBOX {%d}\r\n" % len(message("c")) + message("c"))
    assert r.ok
    assert b"* 3 EXISTS" in idle.wait_for(b"EXISTS")
    assert before == [1, 2]  # the lent list was not appended to in place
    view = _view(idle)
    assert view.shared and view.uids is _state(env).uids and view.uids == [1, 2, 3]
    idle.send(b"DONE\r\n")
    assert idle.reply("i").ok
    r = idle.cmd("UID FETCH 1:* (UID)")
    assert r.untagged == [b"* 1 FETCH (UID 1)", b"* 2 FETCH (UID 2)", b"* 3 FETCH (UID 3)"]


def test_expunge_kept_pending_during_fetch_keeps_the_view_on_its_own_copy(env) -> None:
    for s in "abc":
        env.deliver(message(s))
    one, two = env.client(), env.client()
    one.select()
    two.select()
    one.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)")
    assert one.cmd("EXPUNGE").find("EXPUNGE") == [b"* 1 EXPUNGE"]
    # RFC 9051 7.5.1: no EXPUNGE during FETCH; the view still numbers 3 messages
    r = two.cmd("FETCH 1:* (UID)")
    assert r.untagged == [b"* 2 FETCH (UID 2)", b"* 3 FETCH (UID 3)"]
    view = _view(two)
    assert view.pending_expunge == {1} and view.uids == [1, 2, 3]
    assert view.uids is not _state(env).uids
    assert two.cmd("NOOP").find("EXPUNGE") == [b"* 1 EXPUNGE"]
    view = _view(two)
    assert view.shared and view.uids is _state(env).uids and view.uids == [2, 3]


def test_state_apply_replaces_lent_containers_and_fails_without_changing_anything() -> None:
    mb = SimpleNamespace(id=1, account_id=1, uidvalidity=7, highestmodseq=10, uidnext=4)
    meta = lambda uid, flags, modseq: SimpleNamespace(uid=uid, flags=frozenset(flags), modseq=modseq)  # noqa: E731
    st = MailboxState(mb)
    st.load(mb, [meta(1, [], 1), meta(2, [], 2), meta(3, [], 3)])
    uids, flags, modseqs = st.lend()
    mb2 = SimpleNamespace(**{**vars(mb), "highestmodseq": 12})
    assert st.apply(mb2, [meta(2, ["\\Seen"], 11), meta(4, [], 12)], [1])
    assert (uids, flags, modseqs) == ([1, 2, 3], {1: frozenset(), 2: frozenset(), 3: frozenset()}, {1: 1, 2: 2, 3: 3})
    assert st.uids == [2, 3, 4] and st.flags[2] == {"\\Seen"} and st.modseqs == {2: 11, 3: 3, 4: 12}
    # not lent any more: the next change may work in place
    same = st.uids
    mb3 = SimpleNamespace(**{**vars(mb), "highestmodseq": 13})
    assert st.apply(mb3, [meta(5, [], 13)], [])
    assert st.uids is same and same == [2, 3, 4, 5]
    # a change to a message below the top that the state never saw: refused, state untouched
    st.lend()
    mb4 = SimpleNamespace(**{**vars(mb), "highestmodseq": 14})
    assert not st.apply(mb4, [meta(1, ["\\Seen"], 14)], [3])
    assert st.uids == [2, 3, 4, 5] and 3 in st.flags and st.mailbox is mb3
