"""util.Prepared: statements run on the driver cursor read and write exactly what Core does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from postvak.store import accounts, messages, schema
from postvak.store.util import Prepared
from tests.store.helpers import make_raw

M, D = schema.messages, schema.domains
COLS = (M.c.id, M.c.uid, M.c.seen, M.c.flagged, M.c.keywords, M.c.internal_date, M.c.envelope, M.c.body)
BY_UIDS = Prepared(
    select(*COLS).where(M.c.mailbox_id == bindparam("box"), M.c.uid.in_(bindparam("uids", expanding=True)))
    .order_by(M.c.uid.desc()).limit(2)
)
CORE = select(*COLS).where(M.c.mailbox_id == bindparam("box"), M.c.uid.in_(bindparam("uids", expanding=True))).order_by(
    M.c.uid.desc()
).limit(2)
SET = Prepared(update(M).where(M.c.id == bindparam("_id")).values(
    flagged=bindparam("_flagged", type_=M.c.flagged.type), internal_date=bindparam("_date", type_=M.c.internal_date.type)
))
ADD_DOMAIN = Prepared(D.insert().values(name=bindparam("name")))


def test_rows_match_core_with_expanding_in_and_literal_limit(alice) -> None:
    store, acct, inbox = alice
    when = datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=UTC)
    for n in range(4):
        store.write(messages.ingest, acct.id, inbox.id, make_raw(n), flags=frozenset({"\\Seen", "$Work"}) if n else
                    frozenset(), internal_date=when)

    def both(tx):
        params = {"box": inbox.id, "uids": [1, 2, 4]}
        return BY_UIDS.rows(tx, params), tx.conn.execute(CORE, params).all()

    fast, core = store.read(both)
    assert [r.uid for r in fast] == [4, 2]  # IN (1, 2, 4), newest first, LIMIT 2
    assert [tuple(r) for r in fast] == [tuple(r) for r in core]
    assert fast[0].seen is True and fast[0].keywords == "$Work" and "hello" in fast[0].envelope
    assert fast[0].internal_date.replace(tzinfo=UTC) == when


def test_executemany_writes_through_the_type_processors(alice) -> None:
    store, acct, inbox = alice
    ids = [store.write(messages.ingest, acct.id, inbox.id, make_raw(n)).message_id for n in range(3)]
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    store.write(lambda tx: SET.executemany(tx, [{"_id": i, "_flagged": True, "_date": when} for i in ids[:2]]))
    metas = store.read(messages.fetch_meta, inbox.id, [1, 2, 3])
    assert ["\\Flagged" in m.flags for m in metas] == [True, True, False]
    assert [m.internal_date == when for m in metas] == [True, True, False]
    assert store.read(lambda tx: BY_UIDS.first(tx, {"box": inbox.id, "uids": [3]}).flagged) is False
    assert store.read(lambda tx: BY_UIDS.scalar(tx, {"box": inbox.id, "uids": [99]})) is None


def test_driver_errors_come_out_as_sqlalchemy_errors(store) -> None:
    store.write(accounts.add_domain, "example.test")
    with pytest.raises(IntegrityError):
        store.write(lambda tx: ADD_DOMAIN.execute(tx, {"name": "example.test"}))
    assert store.write(lambda tx: ADD_DOMAIN.execute(tx, {"name": "other.test"})) == 1
    assert sorted(d.name for d in store.read(accounts.list_domains)) == ["example.test", "other.test"]
    with pytest.raises(KeyError):  # a parameter left out is an error, not a NULL
        store.write(lambda tx: ADD_DOMAIN.execute(tx, {}))
