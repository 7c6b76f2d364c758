"""SELECT (QRESYNC ...) with known-uids and message sequence match data (RFC 7162 3.2.5.2).

The mailbox has the RFC example's shape, scaled down: message k has UID 3k (the other
UIDs were expunged), the client sends an old mod-sequence and a sample of seq/UID pairs.
"""

from __future__ import annotations

from postvak.protocols.imap.seqset import SequenceSet
from postvak.servers.imap.commands.select import known_expunges_floor
from postvak.servers.imap.selected import SelectedView
from postvak.store import messages
from tests.servers.imap.harness import message


def _vanished(reply) -> set[int]:
    lines = reply.find("* VANISHED (EARLIER) ")
    assert len(lines) <= 1
    if not lines:
        return set()
    out: set[int] = set()
    for a, b in SequenceSet.parse(lines[0].rsplit(b" ", 1)[1]).resolve(10**6):
        out.update(range(a, b + 1))
    return out


def _mailbox_of_thirds(env, n: int = 90) -> tuple[int, int]:
    """n messages, then every UID not divisible by 3 expunged; returns (uidvalidity, modseq before)."""
    mb = env.mailbox()

    def fill(tx):
        for i in range(n):
            messages.ingest(tx, env.account.id, mb.id, message(f"m{i}"))

    env.store.write(fill)
    old_modseq = env.mailbox().highestmodseq
    doomed = [u for u in range(1, n + 1) if u % 3]
    env.store.write(messages.set_flags, mb.id, doomed, "add", ["\\Deleted"])
    env.store.write(messages.expunge, mb.id, doomed)
    return mb.uidvalidity, old_modseq


def test_seq_match_narrows_vanished_earlier(env) -> None:
    uidvalidity, old = _mailbox_of_thirds(env)
    mb = env.mailbox()
    # The client last saw seq k <-> UID 3k; since then UIDs 33 (seq 11) and 84 (seq 28) went.
    env.store.write(messages.set_flags, mb.id, [33, 84], "add", ["\\Deleted"])
    env.store.write(messages.expunge, mb.id, [33, 84])
    c = env.client()
    c.cmd("ENABLE QRESYNC")
    everything = {u for u in range(1, 91) if u % 3} | {33, 84}
    r = c.cmd(f"EXAMINE INBOX (QRESYNC ({uidvalidity} {old} 1:90))")
    assert r.ok and _vanished(r) == everything  # without a sample: every expunge after the modseq
    # Pairs (5,15) and (10,30) still match; (20,60) does not (seq 20 is UID 63 now): stop there.
    r = c.cmd(f"EXAMINE INBOX (QRESYNC ({uidvalidity} {old} 1:90 (5,10,20,25:30 15,30,60,75,78,81,84,87,90)))")
    assert r.ok
    assert _vanished(r) == {u for u in everything if u > 30}
    assert min(_vanished(r)) == 31


def test_all_pairs_matching_leave_only_later_expunges(env) -> None:
    uidvalidity, old = _mailbox_of_thirds(env, 30)
    c = env.client()
    c.cmd("ENABLE QRESYNC")
    # Seq 1..10 are UIDs 3..30: all match, the client knows every expunge up to UID 27.
    r = c.cmd(f"SELECT INBOX (QRESYNC ({uidvalidity} {old} 1:30 (1:3,9 3,6,9,27)))")
    assert r.ok and _vanished(r) == {28, 29}


def test_bad_samples_are_ignored_not_trusted(env) -> None:
    uidvalidity, old = _mailbox_of_thirds(env, 30)
    c = env.client()
    c.cmd("ENABLE QRESYNC")
    everything = {u for u in range(1, 31) if u % 3}
    # Different lengths, and a descending UID set: answered as if no sample had been given.
    for sample in ("(1:3 3,6)", "(1,2 6,3)"):
        r = c.cmd(f"EXAMINE INBOX (QRESYNC ({uidvalidity} {old} 1:30 {sample}))")
        assert r.ok and _vanished(r) == everything, sample
    # First pair wrong: nothing is known.
    r = c.cmd(f"EXAMINE INBOX (QRESYNC ({uidvalidity} {old} 1:30 (1,2 4,6)))")
    assert _vanished(r) == everything
    # known-uids still limits the answer; the sample narrows it further.
    r = c.cmd(f"EXAMINE INBOX (QRESYNC ({uidvalidity} {old} 1:20 (2 6)))")
    assert _vanished(r) == {u for u in everything if 6 < u <= 20}


def test_floor_function_directly(env) -> None:
    snap = env.store.read(messages.snapshot, env.mailbox().id)
    view = SelectedView.from_snapshot(snap.mailbox, snap.messages, True)
    view.uids = [3, 6, 9, 12]
    pairs = (SequenceSet.parse("1,2,4"), SequenceSet.parse("3,6,12"))
    assert known_expunges_floor(view, pairs) == 12
    assert known_expunges_floor(view, (SequenceSet.parse("1,3"), SequenceSet.parse("3,12"))) == 3
    assert known_expunges_floor(view, (SequenceSet.parse("5"), SequenceSet.parse("15"))) == 0  # past the end
    assert known_expunges_floor(view, (SequenceSet.parse("1:100000"), SequenceSet.parse("1:100000"))) == 0
    assert known_expunges_floor(view, (SequenceSet.parse("3:*"), SequenceSet.parse("9,12"))) == 12
