"""Spam training from moves and keywords (servers/core/training.py) on a real store:
after users move messages into and out of Spam, the next similar message's verdict follows."""

from __future__ import annotations

from pathlib import Path

import pytest

from postvak.servers.core import training
from postvak.store import accounts, mailboxes, messages
from postvak.store.types import Mailbox
from tests.servers.core.test_pipeline import Env, mail

PROMO, COLLEAGUE = "promo@deals.test", "carol@work.test"
SPAMMY = ("cheap pills casino jackpot winner viagra lottery prize claim bitcoin unclaimed refund exclusive "
          "guaranteed miracle discount replica rolex loan approved urgent wire transfer inheritance")
HAMMY = ("meeting agenda quarterly budget review project milestone schedule notes minutes retrospective "
         "sprint backlog deadline deployment architecture proposal feedback colleagues lunch tuesday")


@pytest.fixture()
def env(tmp_path: Path):
    e = Env(tmp_path)
    try:
        yield e
    finally:
        e.close()


def _box(env: Env, special: str | None, name: str = "INBOX") -> Mailbox:
    acct = env.store.read(accounts.get_account, "u@example.test")
    if special:
        return env.store.read(mailboxes.get_special, acct.id, special)
    return env.store.read(mailboxes.get_mailbox, acct.id, name)


def _move(env: Env, src: Mailbox, dst: Mailbox, uids: list[int] | None = None) -> list[int]:
    """A MOVE as the IMAP handler does it: the store move, then the training hook."""
    if uids is None:
        uids = [m.uid for m in env.store.read(messages.snapshot, src.id).messages]
    pairs = env.store.write(messages.move, src.id, uids, dst.id)
    env.loop.run_until_complete(training.after_copy(env.delivery.ctx, src.account_id, src.id, dst, pairs))
    return [b for _, b in pairs]


def test_move_rules() -> None:
    def mb(special: str | None) -> Mailbox:
        return Mailbox(1, 1, "x", special, False, True, 1, 1, 1, 0, 0, 0)

    assert training.move_class(mb(None), mb("\\Junk")) is True
    assert training.move_class(mb("\\Junk"), mb(None)) is False
    assert training.move_class(mb("\\Junk"), mb("\\Trash")) is None  # deleting spam is no verdict
    assert training.move_class(mb(None), mb("\\Trash")) is None
    assert training.keyword_class({"$Junk"}) is True and training.keyword_class({"$NotJunk"}) is False
    assert training.keyword_class({"\\Seen"}) is None


def test_strip_verdict() -> None:
    raw = b"X-Spam-Status: No, score=1\r\nX-Spam-Score: 1.0\r\nFrom: a@b\r\n\r\nx"
    assert training.strip_verdict(raw) == b"From: a@b\r\n\r\nx"


def test_moves_into_and_out_of_spam_change_the_next_verdict(env: Env) -> None:
    inbox, junk = _box(env, None), _box(env, "\\Junk")
    for i in range(10):
        env.deliver(mail(PROMO, subject=f"WIN offer {i}", body=f"{SPAMMY} number {i}"), sender=PROMO)
    assert env.box("", special="\\Junk") == []  # untrained: nothing is spam yet
    _move(env, inbox, junk)  # 10 trained as spam
    for i in range(10):
        env.deliver(mail(COLLEAGUE, subject=f"work {i}", body=f"{HAMMY} item {i}"), sender=COLLEAGUE)
    # Misfiled as spam, then taken back out: trained as ham, the spam training undone.
    in_junk = _move(env, inbox, junk)
    _move(env, junk, inbox, in_junk)

    spam_next = env.deliver(mail(PROMO, subject="WIN offer again", body=SPAMMY + " today"), sender=PROMO)
    ham_next = env.deliver(mail(COLLEAGUE, subject="work again", body=HAMMY + " today"), sender=COLLEAGUE)
    assert spam_next.results[0].stored.mailbox_id == junk.id
    assert ham_next.results[0].stored.mailbox_id == inbox.id


def test_keywords_train_once(env: Env) -> None:
    inbox = _box(env, None)
    env.deliver(mail(body=SPAMMY))
    metas = env.store.read(messages.fetch_meta, inbox.id, [1])
    ctx = env.delivery.ctx
    assert env.loop.run_until_complete(training.train_on_keywords(ctx, inbox.account_id, metas, {"$Junk"})) == 1
    assert env.loop.run_until_complete(training.train_on_keywords(ctx, inbox.account_id, metas, {"$Junk"})) == 0
    assert env.loop.run_until_complete(training.train_on_keywords(ctx, inbox.account_id, metas, {"$NotJunk"})) == 1
