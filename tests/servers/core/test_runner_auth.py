"""StoreRunner and AuthService against a real SQLite store on a real asyncio loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from postvak.servers.core.auth import AuthPolicy, AuthService, hash_password, verify_password
from postvak.servers.core.bus import ChangeBridge
from postvak.servers.core.runner import StoreRunner
from postvak.store import accounts, errors, mailboxes, messages, open_store

RAW = b"From: a@example.test\r\nTo: alice@example.test\r\nSubject: hi\r\nMessage-ID: <m%d@x>\r\n\r\nbody %d\r\n"


@pytest.fixture()
def env(tmp_path: Path):
    store = open_store(f"sqlite:///{tmp_path}/s.db", blob_backend="files", blob_dir=str(tmp_path / "blobs"))
    store.migrate()
    loop = asyncio.new_event_loop()
    runner = StoreRunner(store, loop)
    store.write(accounts.add_domain, "example.test")
    account = store.write(accounts.add_account, "alice@example.test", hash_password("right-password"))
    yield store, loop, runner, account
    runner.close()
    loop.close()
    store.close()


def test_concurrent_writes_are_group_committed_and_all_land(env) -> None:
    store, loop, runner, account = env
    inbox = store.read(mailboxes.get_mailbox, account.id, "INBOX")

    async def main() -> list:
        jobs = [runner.write(messages.ingest, account.id, inbox.id, RAW % (i, i)) for i in range(200)]
        return await asyncio.gather(*jobs)

    stored = loop.run_until_complete(main())
    uids = [s.uid for s in stored]
    assert sorted(uids) == list(range(1, 201))
    assert store.read(mailboxes.get_mailbox, account.id, "INBOX").messages == 200


def test_the_writer_keeps_one_connection_and_closes_it_with_the_runner(env) -> None:
    store, loop, runner, account = env
    inbox = store.read(mailboxes.get_mailbox, account.id, "INBOX")
    loop.run_until_complete(runner.write(messages.ingest, account.id, inbox.id, RAW % (1, 1)))
    kept = runner._batch_writer._conn
    loop.run_until_complete(runner.write(messages.ingest, account.id, inbox.id, RAW % (2, 2)))
    assert kept is not None and runner._batch_writer._conn is kept
    runner.close()
    assert runner._batch_writer._conn is None and kept.closed
    assert store.read(mailboxes.get_mailbox, account.id, "INBOX").messages == 2


def test_a_failing_job_does_not_sink_its_batch(env) -> None:
    store, loop, runner, account = env
    inbox = store.read(mailboxes.get_mailbox, account.id, "INBOX")

    async def main() -> list:
        good = [runner.write(messages.ingest, account.id, inbox.id, RAW % (i, i)) for i in range(5)]
        bad = runner.write(mailboxes.create_mailbox, account.id, "Sent/child")  # forbidden under Sent
        return await asyncio.gather(*good, bad, return_exceptions=True)

    results = loop.run_until_complete(main())
    assert isinstance(results[-1], errors.Forbidden)
    assert all(not isinstance(r, Exception) for r in results[:-1])
    assert store.read(mailboxes.get_mailbox, account.id, "INBOX").messages == 5


def test_changes_reach_subscribers_on_the_loop_thread(env) -> None:
    store, loop, runner, account = env
    inbox = store.read(mailboxes.get_mailbox, account.id, "INBOX")
    bridge = ChangeBridge(store.changes, loop)
    heard: list = []
    unsubscribe = bridge.subscribe(account.id, heard.extend)

    async def main() -> None:
        await runner.write(messages.ingest, account.id, inbox.id, RAW % (1, 1))
        for _ in range(100):
            if heard:
                return
            await asyncio.sleep(0.01)

    loop.run_until_complete(main())
    unsubscribe()
    assert any(c.kind == "new" and c.mailbox_id == inbox.id for c in heard)


def test_password_hashes_are_argon2id() -> None:
    h = hash_password("s3cret")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "s3cret") and not verify_password(h, "other")
    assert not verify_password("not-a-hash", "s3cret")


def test_auth_cache_skips_argon2_but_follows_password_changes(env) -> None:
    store, loop, runner, account = env
    auth = AuthService(runner, AuthPolicy(failure_delay_base=0.0, failure_delay_max=0.0))

    async def main() -> None:
        assert (await auth.verify("alice@example.test", "right-password", "127.0.0.1")).id == account.id
        assert (await auth.verify("ALICE@example.test", "right-password", "127.0.0.1")).id == account.id
        assert auth.verifications == 1  # second login served from the cache
        assert await auth.verify("alice@example.test", "wrong", "127.0.0.1") is None
        # Another process changes the password: the cached success must not hold.
        await runner.write(accounts.set_password_hash, "alice@example.test", hash_password("new-password"))
        assert await auth.verify("alice@example.test", "right-password", "127.0.0.1") is None
        assert (await auth.verify("alice@example.test", "new-password", "127.0.0.1")).id == account.id
        assert await auth.verify("nobody@example.test", "x", "127.0.0.1") is None

    loop.run_until_complete(main())


def test_failed_logins_are_throttled_per_ip(env) -> None:
    store, loop, runner, account = env
    now = [1000.0]
    auth = AuthService(runner, AuthPolicy(max_failures_per_ip=3, failure_delay_base=0.0, failure_delay_max=0.0),
                       clock=lambda: now[0])

    async def main() -> None:
        for _ in range(3):
            assert await auth.verify("alice@example.test", "wrong", "192.0.2.7") is None
        assert auth.failures.blocked("192.0.2.7")
        # Even the right password is refused while blocked, but another IP is not affected.
        assert await auth.verify("alice@example.test", "right-password", "192.0.2.7") is None
        assert await auth.verify("alice@example.test", "right-password", "192.0.2.8") is not None
        now[0] += 10_000  # the window passes
        assert await auth.verify("alice@example.test", "right-password", "192.0.2.7") is not None

    loop.run_until_complete(main())


def test_failure_delay_grows() -> None:
    from postvak.servers.core.auth import FailureTracker

    tracker = FailureTracker(AuthPolicy(failure_delay_base=0.5, failure_delay_max=4.0), clock=lambda: 0.0)
    delays = []
    for _ in range(6):
        tracker.record("198.51.100.1")
        delays.append(tracker.delay("198.51.100.1"))
    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
