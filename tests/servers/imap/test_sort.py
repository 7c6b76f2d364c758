"""SORT (RFC 5256 3, RFC 5957 DISPLAYFROM/DISPLAYTO) over a real store through a real StoreRunner."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from postvak.protocols.imap import search as sk
from postvak.protocols.imap.requests import SortCriterion as C
from postvak.servers.core.runner import StoreRunner
from postvak.servers.imap.sort import ascii_casemap, base_subject_key, sort_uids
from postvak.store import accounts, mailboxes, messages, open_store

MAILS = [  # uid: from, to, cc, subject, Date header (None: none), internal day, size padding
    ('"Zed" <adam@x.test>', "bob@y.test", "", "Re: beta", "Mon, 03 Nov 2025 10:00:00 +0000", 5, 1000),
    ("carl@x.test", '"Alice" <zoe@y.test>', "b@c.test", "alpha", "Mon, 03 Nov 2025 09:00:00 -0300", 4, 3000),
    ("Bert <bert@x.test>", "Carla <amy@y.test>", "a@c.test", "[list] Fwd: Alpha (fwd)", None, 1, 2000),
    ("=?utf-8?q?=C3=89mile?= <emile@x.test>", "", "", "gamma", "Sun, 02 Nov 2025 10:00:00 +0000", 2, 0),
    ("ADAM@x.test", "bob@y.test", "", "Beta", "Mon, 03 Nov 2025 10:00:00 +0000", 3, 1500),
]


def raw(i, frm, to, cc, subject, date, pad):
    head = [f"From: {frm}", f"Subject: {subject}", f"Message-ID: <s{i}@x.test>"]
    head += [f"To: {to}"] if to else []
    head += [f"Cc: {cc}"] if cc else []
    head += [f"Date: {date}"] if date else []
    return ("\r\n".join(head) + "\r\n\r\n" + "x" * pad + "\r\n").encode()


@pytest.fixture()
def env(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/s.db", blob_dir=str(tmp_path / "blobs"))
    store.migrate()
    store.write(accounts.add_domain, "example.test")
    acct = store.write(accounts.add_account, "alice@example.test", "hash")
    inbox = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
    for i, (frm, to, cc, subject, date, day, pad) in enumerate(MAILS, 1):
        store.write(messages.ingest, acct.id, inbox.id, raw(i, frm, to, cc, subject, date, pad),
                    internal_date=datetime(2025, 11, day, 12, tzinfo=UTC))
    loop = asyncio.new_event_loop()
    runner = StoreRunner(store, loop)
    yield SimpleNamespace(runner=runner), (inbox.id, [1, 2, 3, 4, 5]), loop
    runner.close()
    loop.close()
    store.close()


def sort(env, *criteria, key=None):
    ctx, view, loop = env
    crit = [C(c.removeprefix("-"), c.startswith("-")) for c in criteria]
    return loop.run_until_complete(sort_uids(ctx, view, crit, key or sk.All()))


@pytest.mark.parametrize(
    "criteria, expected",
    [
        (["ARRIVAL"], [3, 4, 5, 2, 1]),
        (["-ARRIVAL"], [1, 2, 5, 4, 3]),
        # no Date header: the internal date (1 Nov) stands in; 09:00 -0300 is 12:00 UTC
        (["DATE"], [3, 4, 1, 5, 2]),
        (["-DATE"], [2, 1, 5, 4, 3]),  # equal dates keep sequence order, also reversed
        (["SIZE"], [4, 1, 5, 3, 2]),
        (["SUBJECT"], [2, 3, 1, 5, 4]),  # base subjects: alpha alpha beta beta gamma
        (["SUBJECT", "-ARRIVAL"], [2, 3, 1, 5, 4]),
        (["SUBJECT", "ARRIVAL"], [3, 2, 5, 1, 4]),
        (["FROM"], [1, 5, 3, 2, 4]),  # adam ADAM bert carl emile (addr-mailbox, ascii casemap)
        (["TO"], [4, 3, 1, 5, 2]),  # "" amy bob bob zoe
        (["CC", "-SIZE"], [5, 1, 4, 3, 2]),
        (["DISPLAYFROM"], [5, 3, 2, 1, 4]),  # adam@x.test Bert carl@x.test Zed Émile (RFC 5957)
        (["DISPLAYTO"], [4, 2, 1, 5, 3]),  # "" Alice bob bob Carla
        (["-SUBJECT", "SIZE"], [4, 1, 5, 3, 2]),
    ],
)
def test_sort_criteria(env, criteria, expected) -> None:
    assert sort(env, *criteria) == expected


def test_sort_with_search_key(env) -> None:
    assert sort(env, "SUBJECT", key=sk.Text("subject", "beta")) == [1, 5]
    assert sort(env, "SIZE", key=sk.Not(sk.Text("from", "adam"))) == [4, 3, 2]


def test_base_subject_and_collation() -> None:
    # RFC 5256 2.1 examples of subject extraction
    assert base_subject_key("Re: [list] Fwd: Hello (fwd)") == "hello"
    assert base_subject_key("[fwd: Re: plan]") == "plan"
    assert ascii_casemap("ÉcOle") == "École"  # only ASCII letters fold in i;ascii-casemap
