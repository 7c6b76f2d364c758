"""IMAP SEARCH in the store: every key against a small real corpus, and speed on 100,000 messages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text

from postvak.protocols.imap import search as sk
from postvak.protocols.imap.cursor import Cursor
from postvak.protocols.imap.limits import Limits
from postvak.store import imapsearch, messages, schema, search
from postvak.store.imapsearch import UidSet


def msg(subject, body, *, frm="Bob Sender <bob@remote.test>", to="alice@example.test", cc="", bcc="",
        date_="Fri, 28 Nov 2025 10:00:00 +0000", extra=()):
    head = [f"From: {frm}", f"To: {to}", f"Subject: {subject}", f"Date: {date_}", *extra]
    if cc:
        head.append(f"Cc: {cc}")
    if bcc:
        head.append(f"Bcc: {bcc}")
    return ("\r\n".join(head) + "\r\n\r\n" + body + "\r\n").encode()


CORPUS = [  # uid: (raw, flags, internal date)
    (msg("Hello world", "The quick brown fox", extra=["X-Mailer: FooMail 1.0"]), {"\\Seen"}, "2025-11-01"),
    (msg("Invoice March", "please pay before friday", frm='"Zoë Müller" <zoe@shop.test>',
         cc="carol@cc.test", date_="Sat, 01 Nov 2025 23:30:00 -0500"), {"\\Flagged", "$Work"}, "2025-11-02"),
    (msg("=?utf-8?q?Caf=C3=A9_meeting?=", "Lunch at the café " + "x" * 2000, frm="=?utf-8?q?Ren=C3=A9?= <rene@a.test>",
         bcc="secret@hidden.test"), {"\\Answered", "\\Seen"}, "2025-11-03"),
    (msg("Re: Hello world", "quoted fox text", to="Dave <dave@example.test>, alice@example.test",
         date_="Sun, 02 Nov 2025 01:30:00 +1100"), {"\\Deleted", "$work"}, "2025-11-04"),
    (msg("Plain", "nothing special here", frm="x_y%z@odd.test"), set(), "2025-11-05"),
]


def key(text_: str):
    return sk.parse_program(Cursor(text_.encode(), {}, Limits(), utf8=True))


@pytest.fixture()
def box(alice):
    store, acct, inbox = alice
    for raw, flags, day in CORPUS:
        when = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
        store.write(messages.ingest, acct.id, inbox.id, raw, flags=frozenset(flags), internal_date=when)
    return store, inbox


def run(box, text_, within=None):
    store, inbox = box
    return store.read(imapsearch.search, inbox.id, key(text_) if isinstance(text_, str) else text_, within)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("ALL", [1, 2, 3, 4, 5]),
        ("SEEN", [1, 3]), ("UNSEEN", [2, 4, 5]), ("FLAGGED", [2]), ("UNFLAGGED", [1, 3, 4, 5]),
        ("ANSWERED", [3]), ("DELETED", [4]), ("UNDELETED", [1, 2, 3, 5]), ("DRAFT", []), ("UNDRAFT", [1, 2, 3, 4, 5]),
        ("KEYWORD $Work", [2, 4]), ("UNKEYWORD $work", [1, 3, 5]), ("KEYWORD $Nope", []),
        ("BEFORE 3-Nov-2025", [1, 2]), ("ON 3-Nov-2025", [3]), ("SINCE 4-Nov-2025", [4, 5]),
        # Date header days, as written: 1 Nov (-0500, UTC is 2 Nov), 2 Nov (+1100, UTC is 1 Nov)
        ("SENTON 1-Nov-2025", [2]), ("SENTON 2-Nov-2025", [4]), ("SENTSINCE 2-Nov-2025", [1, 3, 4, 5]),
        ("SENTBEFORE 2-Nov-2025", [2]), ("SENTBEFORE 28-Nov-2025", [2, 4]),
        ("SUBJECT hello", [1, 4]), ("SUBJECT \"re: hello\"", [4]), ("SUBJECT \"café\"", [3]), ("SUBJECT CAFE", []),
        ("FROM bob", [1, 4]), ("FROM \"zoë\"", [2]), ("FROM \"müller\"", [2]), ("FROM \"René\"", [3]),
        ("FROM zoe@shop", [2]), ("FROM \"x_y%z\"", [5]), ("FROM \"Sender <bob@\"", [1, 4]),
        ("TO dave", [4]), ("TO alice@example.test", [1, 2, 3, 4, 5]), ("CC carol", [2]), ("BCC secret@", [3]),
        ("BODY fox", [1, 4]), ("BODY uick", [1]), ("BODY hello", []), ("TEXT hello", [1, 4]),
        ("TEXT foomail", [1]), ("BODY \"CAFÉ\"", [3]), ("TEXT \"\"", [1, 2, 3, 4, 5]),
        ("HEADER X-Mailer foo", [1]), ("HEADER x-mailer \"\"", [1]), ("HEADER Cc \"\"", [2]),
        ("HEADER Subject invoice", [2]),
        ("LARGER 1000", [3]), ("SMALLER 1000", [1, 2, 4, 5]),
        ("OR SEEN FLAGGED", [1, 2, 3]), ("NOT SEEN", [2, 4, 5]), ("NOT FROM bob", [2, 3, 5]),
        ("OR FROM zoe BODY fox", [1, 2, 4]), ("SEEN BODY fox", [1]), ("(SEEN UNANSWERED) OR DELETED SEEN", [1]),
        ("NOT (OR SUBJECT hello SUBJECT plain)", [2, 3]),
        ("X-POSTVAK-RAW \"fox -quoted\"", [1]), ("X-POSTVAK-RAW \"invoice OR lunch\"", [2, 3]),
        ("MODSEQ 4", [3, 4, 5]), ("RECENT", []), ("OLD", [1, 2, 3, 4, 5]),
        ("YOUNGER 60", []), ("OLDER 60", [1, 2, 3, 4, 5]),
    ],
)
def test_keys(box, query, expected) -> None:
    assert run(box, query) == expected


def test_address_and_subject_match_whatever_the_case(box) -> None:
    """RFC 9051 6.4.4: the strings compare case-insensitively, also where a SQL prefilter
    picks the rows (LIKE is case-sensitive on PostgreSQL, ASCII-insensitive on SQLite)."""
    store, inbox = box
    raw = (b"From: Bob Smith <Bob.Smith@Example.TEST>\r\nTo: ALICE@EXAMPLE.TEST\r\n"
           b"Subject: Quarterly REPORT\r\n\r\nbody\r\n")
    uid = store.write(messages.ingest, inbox.account_id, inbox.id, raw).uid
    for query in ("FROM bob.smith@example", "FROM BOB.SMITH@EXAMPLE.test", "FROM \"smith\"", "TO alice@example",
                  "SUBJECT \"quarterly report\"", "SUBJECT \"QUARTERLY rep\""):
        assert uid in run(box, query), query


def test_uid_sets_and_within(box) -> None:
    assert run(box, sk.And((UidSet(frozenset({2, 3, 9})), sk.Flag("\\Seen")))) == [3]
    assert run(box, sk.Not(UidSet(frozenset({1, 2})))) == [3, 4, 5]
    many = UidSet(frozenset(range(1, 400, 2)))  # more ranges than go into SQL
    assert run(box, sk.And((many, sk.Flag("\\Seen", False)))) == [5]
    assert run(box, "ALL", within=[2, 4, 77]) == [2, 4, 77]  # the session's view decides
    assert run(box, "NOT SEEN", within=[1, 2]) == [2]
    assert run(box, "SEEN", within=[]) == []


def test_text_scan_and_index_agree(box, monkeypatch) -> None:
    """Above SCAN_LIMIT the word index picks candidates; whole-word answers stay the same."""
    exact = {q: run(box, q) for q in ("BODY fox", "TEXT \"quick brown\"", "BODY \"café\"", "TEXT hello", "BODY \"pay b\"")}
    monkeypatch.setattr(imapsearch, "SCAN_LIMIT", 0)
    assert {q: run(box, q) for q in exact} == exact
    assert run(box, "BODY uick") == []  # documented: index mode matches from word starts


# -- 100,000 messages ------------------------------------------------------------------
N, BASE = 100_000, 100
M = schema.messages


def _bulk(tx, mailbox_id: int) -> None:
    """Clone the BASE ingested messages to N rows (shared blobs, copied index terms)."""
    base = tx.conn.execute(select(M).where(M.c.mailbox_id == mailbox_id).order_by(M.c.uid)).mappings().all()
    start = datetime(2020, 1, 1, tzinfo=UTC)
    rows = []
    for uid in range(BASE + 1, N + 1):
        b = dict(base[(uid - 1) % BASE])
        b.pop("id")
        b.update(uid=uid, modseq=uid, internal_date=start + timedelta(minutes=uid), size=b["size"] + uid % 977,
                 seen=uid % 3 != 0, flagged=uid % 50 == 0, keywords="$tag" if uid % 1000 == 0 else "")
        rows.append(b)
    for i in range(0, len(rows), 5000):
        tx.conn.execute(insert(M), rows[i : i + 5000])
    # SQLite's index is one FTS5 row per message (store/search_fts.py): the clones' rows
    # copied from their base message's, then the index built over them.
    tx.conn.execute(text(
        "INSERT INTO msgterms (message_id, body, subject, sender, rcpt) "
        "SELECT m2.id, t.body, t.subject, t.sender, t.rcpt FROM messages m2 "
        "JOIN messages m1 ON m1.mailbox_id = m2.mailbox_id AND m1.uid = ((m2.uid - 1) % :base) + 1 "
        "JOIN msgterms t ON t.message_id = m1.id WHERE m2.mailbox_id = :mb AND m2.uid > :base"
    ), {"base": BASE, "mb": mailbox_id})
    tx.conn.execute(text("INSERT INTO fts (fts) VALUES ('rebuild')"))


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    from postvak.store import accounts, mailboxes, open_store

    path = tmp_path_factory.mktemp("big")
    store = open_store(f"sqlite:///{path}/store.db", blob_dir=str(path / "blobs"))
    store.migrate()
    store.write(accounts.add_domain, "example.test")
    acct = store.write(accounts.add_account, "big@example.test", "hash")
    inbox = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
    jobs = []
    for i in range(BASE):
        raw = msg(f"Report {i} {'urgent' if i % 10 == 0 else 'weekly'}", f"body word{i} shared text zeta{i % 7}",
                  frm=f"Person {i} <p{i % 20}@corp.test>", extra=[f"X-Seq: {i}"] if i % 25 == 0 else [])
        jobs.append((messages.ingest, (acct.id, inbox.id, raw), {}))
    store.write_batch(jobs)
    assert store.write(search.index_pending, 1000) == BASE  # _bulk clones the base messages' terms
    store.write(_bulk, inbox.id)
    yield store, inbox
    store.close()


def _expect(pred) -> list[int]:
    return [u for u in range(1, N + 1) if pred(u)]


def _base(u: int) -> int:
    return (u - 1) % BASE


@pytest.mark.parametrize(
    "query, pred",
    [
        ("UNSEEN", lambda u: u <= BASE or u % 3 == 0),
        ("FLAGGED SINCE 1-Mar-2020", lambda u: u > BASE and u % 50 == 0 and u >= 86400),
        ("KEYWORD $tag LARGER 10", lambda u: u > BASE and u % 1000 == 0),
        ("SUBJECT urgent", lambda u: _base(u) % 10 == 0),
        ("FROM p3@corp", lambda u: _base(u) % 20 == 3),
        ("FROM \"person 42\"", lambda u: _base(u) == 42),
        ("BODY zeta3", lambda u: _base(u) % 7 == 3),
        ("TEXT word17", lambda u: _base(u) == 17),
        ("BODY \"word17 shared\"", lambda u: _base(u) == 17),
        ("NOT BODY shared", lambda u: False),
        ("OR SUBJECT urgent FLAGGED", lambda u: _base(u) % 10 == 0 or (u > BASE and u % 50 == 0)),
        ("UNSEEN HEADER X-Seq 25 MODSEQ 90000", lambda u: _base(u) == 25 and u % 3 == 0 and u >= 90000),
        ("X-POSTVAK-RAW \"urgent zeta2\"", lambda u: _base(u) % 10 == 0 and _base(u) % 7 == 2),
    ],
)
def test_100k_mailbox(big, query, pred) -> None:
    store, inbox = big
    # Correctness only: the time a search takes is a benchmark figure (bench/bench_imap.py), not a test.
    got = store.read(imapsearch.search, inbox.id, key(query), range(1, N + 1))
    assert got == _expect(pred)


def test_100k_date_keys(big) -> None:
    store, inbox = big
    day = date(2020, 2, 1)
    got = store.read(imapsearch.search, inbox.id, sk.Date("internal", "on", day), None)
    first = int((datetime(2020, 2, 1, tzinfo=UTC) - datetime(2020, 1, 1, tzinfo=UTC)).total_seconds() // 60)
    assert got == [u for u in range(first, first + 1440) if u > BASE]


def test_dense_and_sparse_domains_read_the_same_rows(box) -> None:
    """_select reads a dense domain by its UID range and a sparse one by UID lists: the
    same rows either way, and none outside the domain."""
    store, inbox = box
    from sqlalchemy import true

    def rows(domain):
        return store.read(lambda tx: sorted(int(r[0]) for r in imapsearch._Eval(tx, inbox.id)._select(
            [schema.messages.c.uid], true(), domain)))

    assert rows({1, 2, 3, 4, 5}) == [1, 2, 3, 4, 5]  # dense: the range
    assert rows({2, 4}) == [2, 4]  # dense too, with a hole inside the range
    assert rows({1, 5, 400}) == [1, 5]  # sparse: the UID list
    assert rows({3}) == [3]
    assert rows({9, 10}) == []
