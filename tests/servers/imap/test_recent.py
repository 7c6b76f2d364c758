"""\\Recent for IMAP4rev1 sessions (RFC 3501 2.3.2): kept in the store, given to the one
session that is first told about a message (servers/imap/recent.py)."""

from __future__ import annotations

import imaplib

from postvak.store import messages
from tests.servers.imap.harness import message


def _recent(reply) -> int | None:
    found = [int(line.split()[1]) for line in reply.untagged if line.endswith(b" RECENT")]
    return found[-1] if found else None


def _search(client, key: str) -> list[int]:
    line = next(x for x in client.cmd(f"UID SEARCH {key}").untagged if x.startswith(b"* SEARCH"))
    return [int(n) for n in line.split()[2:]]


def _recent_flags(client) -> list[int]:
    return [n + 1 for n, line in enumerate(client.cmd("FETCH 1:* (FLAGS)").untagged) if b"\\Recent" in line]


def test_mail_delivered_while_nobody_looked_is_recent_for_the_next_select_only(env) -> None:
    env.deliver(message("a"), flags=frozenset({"\\Seen"}))
    env.deliver(message("b"))
    one = env.client()
    assert _recent(one.select()) == 2
    assert _recent_flags(one) == [1, 2]
    assert _search(one, "RECENT") == [1, 2] and _search(one, "NEW") == [2] and _search(one, "OLD") == []
    two = env.client()
    assert _recent(two.select()) == 0
    assert _recent_flags(two) == [] and _search(two, "RECENT") == [] and _search(two, "OLD") == [1, 2]
    assert _recent(one.select()) == 0  # re-selecting: nothing is new any more
    assert env.mailbox().recent_uid == 2


def test_mail_arriving_is_recent_in_exactly_one_of_two_selected_sessions(env) -> None:
    one, two = env.client(), env.client()
    assert _recent(one.select()) == 0 and _recent(two.select()) == 0
    env.deliver(message("a"))
    one.send("n1 NOOP\r\n")  # both sync at once: the claim decides, not the order of commands
    two.send("n2 NOOP\r\n")
    r1, r2 = one.reply("n1"), two.reply("n2")
    assert r1.find("* 1 EXISTS") and r2.find("* 1 EXISTS")
    assert sorted([_recent(r1), _recent(r2)]) == [0, 1]
    assert sorted(_search(one, "RECENT") + _search(two, "RECENT")) == [1]
    assert sorted([_recent_flags(one), _recent_flags(two)]) == [[], [1]]
    assert _recent(env.client().select()) == 0


def test_examine_shows_recent_but_claims_nothing(env) -> None:
    env.deliver(message("a"))
    viewer = env.client()
    r = viewer.cmd("EXAMINE INBOX")
    assert r.ok and _recent(r) == 1
    assert _recent_flags(viewer) == [1]  # RFC 3501 2.3.2: a read-only session sees \Recent too
    env.deliver(message("b"))
    assert _recent(viewer.cmd("NOOP")) == 2  # arrivals as well, still unclaimed
    assert env.mailbox().recent_uid == 0
    reader = env.client()
    assert _recent(reader.select()) == 2
    assert _recent(viewer.cmd("EXAMINE INBOX")) == 0


def test_copies_moves_and_appends_are_new_in_their_target(env) -> None:
    env.deliver(message("a"))
    env.deliver(message("b"))
    c = env.client()
    c.cmd("CREATE Work")
    c.select()
    assert c.cmd("COPY 1 Work").ok and c.cmd("MOVE 2 Work").ok
    raw = message("c")
    assert c.cmd(b"APPEND Work {%d+}\r\n" % len(raw) + raw).ok
    assert _recent(c.select("Work")) == 3


def test_append_into_the_selected_mailbox_is_recent_for_the_appending_session(env) -> None:
    """The APPEND claims in its own transaction (recent.claim_in_append); its sync shows it."""
    one, two = env.client(), env.client()
    assert _recent(one.select()) == 0 and _recent(two.select()) == 0
    env.deliver(message("a"))  # arrived, announced to nobody yet: the APPEND's sync tells `one` first
    raw = message("b")
    r = one.cmd(b"APPEND INBOX {%d+}\r\n" % len(raw) + raw)
    assert r.ok and r.find("* 2 EXISTS") and _recent(r) == 2
    assert env.mailbox().recent_uid == 2
    assert _recent_flags(one) == [1, 2]
    assert _recent(two.cmd("NOOP")) == 0 and _recent_flags(two) == []
    viewer = env.client()
    viewer.cmd("EXAMINE INBOX")
    raw = message("c")
    assert viewer.cmd(b"APPEND INBOX {%d+}\r\n" % len(raw) + raw).ok
    assert env.mailbox().recent_uid == 2  # EXAMINE claims nothing, its APPEND neither
    assert _recent(env.client().select()) == 1


def test_status_recent_counts_unclaimed_and_this_sessions_own(env) -> None:
    for s in "abc":
        env.deliver(message(s))
    watcher = env.client()

    def status() -> bytes:
        return watcher.cmd("STATUS INBOX (RECENT MESSAGES)").untagged[0]

    assert b"RECENT 3" in status()
    env.client().select()
    assert b"RECENT 0" in status()  # claimed by that SELECT
    env.deliver(message("d"))
    assert b"RECENT 1" in status()
    watcher.select()
    assert b"RECENT 1" in status()  # now this session's own \Recent message
    assert b"RECENT 0" in env.client().cmd("STATUS INBOX (RECENT)").untagged[0]


def test_imap4rev2_sessions_neither_see_nor_take_recent(env) -> None:
    env.deliver(message("a"))
    rev2 = env.client()
    rev2.cmd("ENABLE IMAP4rev2")
    assert _recent(rev2.select()) is None
    env.deliver(message("b"))
    r = rev2.cmd("NOOP")
    assert r.find("* 2 EXISTS") and _recent(r) is None
    assert b"\\Recent" not in b"".join(rev2.cmd("FETCH 1:* (FLAGS)").untagged)
    assert env.mailbox().recent_uid == 0
    assert _recent(env.client().select()) == 2  # RFC 9051 has no \Recent: the rev1 session still gets both


def test_expunged_recent_messages_leave_the_count(env) -> None:
    env.deliver(message("a"))
    env.deliver(message("b"))
    c = env.client()
    assert _recent(c.select()) == 2
    mb = env.mailbox()
    env.store.write(messages.set_flags, mb.id, [1], "add", ["\\Deleted"])
    assert c.cmd("EXPUNGE").ok
    assert _search(c, "RECENT") == [2]
    assert b"RECENT 1" in c.cmd("STATUS INBOX (RECENT)").untagged[0]


def _imap(server) -> imaplib.IMAP4_SSL:
    m = imaplib.IMAP4_SSL(server.host, server.port("imaps"), ssl_context=server.client_tls_context(), timeout=20)
    m.login("alice@example.test", "alice-secret-1")
    return m


def _select_recent(server) -> int:
    m = _imap(server)
    try:
        typ, _ = m.select("INBOX")
        assert typ == "OK"
        return int(m.response("RECENT")[1][0])
    finally:
        m.logout()


def test_recent_survives_a_server_restart(mail_server) -> None:
    m = _imap(mail_server)
    raw = message("restart")
    assert m.append("INBOX", None, None, raw)[0] == "OK"  # not selected: nobody is told yet
    m.logout()
    mail_server.restart()
    assert _select_recent(mail_server) == 1  # still unclaimed after the restart
    mail_server.restart()
    assert _select_recent(mail_server) == 0  # and the claim was kept too
