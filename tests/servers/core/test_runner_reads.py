"""StoreRunner reads on kept per-thread connections (Store.reader): each read is still its
own transaction (sees every earlier commit), errors do not poison the connection, and
close() gives the connections back."""

from __future__ import annotations

import asyncio

import pytest

from postvak.servers.core.runner import StoreRunner
from postvak.store import accounts, mailboxes, open_store


@pytest.fixture()
def setup(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/s.db", blob_backend="files", blob_dir=str(tmp_path / "b"))
    store.migrate()
    store.write(accounts.add_domain, "example.test")
    acct = store.write(accounts.add_account, "a@example.test", "x")
    loop = asyncio.new_event_loop()
    runner = StoreRunner(store, loop, readers=2)
    yield store, loop, runner, acct
    runner.close()
    loop.close()
    store.close()


def test_reads_reuse_a_connection_and_see_each_commit(setup) -> None:
    store, loop, runner, acct = setup

    def conn_id(tx):
        return id(tx.conn)

    async def go():
        seen = set()
        for n in range(20):
            seen.add(await runner.read(conn_id))
            await runner.write(mailboxes.create_mailbox, acct.id, f"box{n}")
            # a write committed just now is visible to the very next read on a kept connection
            assert await runner.read(mailboxes.find_mailbox, acct.id, f"box{n}") is not None
        return seen

    seen = loop.run_until_complete(go())
    assert 1 <= len(seen) <= 2  # one kept connection per reader thread
    assert len(runner._kept) <= 2


def test_an_error_drops_the_connection_and_the_next_read_works(setup) -> None:
    store, loop, runner, acct = setup

    def boom(tx):
        tx.conn.exec_driver_sql("SELECT * FROM no_such_table")

    async def go():
        for _ in range(4):
            with pytest.raises(Exception, match="no_such_table"):
                await runner.read(boom)
            assert (await runner.read(mailboxes.find_mailbox, acct.id, "INBOX")).name == "INBOX"

    loop.run_until_complete(go())


def test_close_returns_kept_connections(setup) -> None:
    store, loop, runner, acct = setup
    async def go():
        await asyncio.gather(*(runner.read(mailboxes.find_mailbox, acct.id, "INBOX") for _ in range(10)))

    loop.run_until_complete(go())
    assert runner._kept
    runner.close()
    assert runner._kept == []
    assert store.engine.pool.checkedout() == 0


def test_read_here_runs_on_the_calling_thread_and_sees_each_commit(setup) -> None:
    import threading

    store, loop, runner, acct = setup

    def where(tx):
        return threading.get_ident(), id(tx.conn)

    async def go():
        seen = set()
        for n in range(5):
            thread, conn = await runner.read_here(where)
            assert thread == threading.get_ident()
            seen.add(conn)
            await runner.write(mailboxes.create_mailbox, acct.id, f"here{n}")
            assert await runner.read_here(mailboxes.find_mailbox, acct.id, f"here{n}") is not None
        with pytest.raises(Exception, match="no_such_table"):
            await runner.read_here(lambda tx: tx.conn.exec_driver_sql("SELECT * FROM no_such_table"))
        assert (await runner.read_here(mailboxes.find_mailbox, acct.id, "INBOX")).name == "INBOX"
        return seen

    assert len(loop.run_until_complete(go())) == 1  # one kept connection


def test_read_here_on_another_thread_than_its_connections_hands_the_read_over(setup) -> None:
    """The kept connection serves the thread that opened it only; the event loop run from
    another thread later (as tests do) gets its reads from the reader threads."""
    import threading

    store, loop, runner, acct = setup
    loop.run_until_complete(runner.read_here(mailboxes.find_mailbox, acct.id, "INBOX"))
    got: list[int] = []

    def in_thread() -> None:
        asyncio.set_event_loop(loop)
        got.append(loop.run_until_complete(runner.read_here(lambda tx: threading.get_ident())))

    t = threading.Thread(target=in_thread)
    t.start()
    t.join(10)
    assert got and got[0] not in (threading.get_ident(), t.ident)  # a reader thread ran it
