"""The prepared reads a delivery makes (store/ingest.py) return what the general store
API returns for the same question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from postvak.store import accounts, ingest, mailboxes, state
from postvak.store import sieve as store_sieve


def _resolve(tx, domain, address):
    """The general path: None for a foreign domain, else resolve_recipient's answer."""
    if not accounts.is_local_domain(tx, domain):
        return None
    return list(accounts.resolve_recipient(tx, address) or [])


def test_recipient_matches_resolve_recipient(alice) -> None:
    store, account, _ = alice
    store.write(accounts.add_account, "bob@example.test", "hash")
    store.write(accounts.add_alias, "team@example.test", ["alice@example.test", "bob@example.test"])
    store.write(accounts.add_domain, "other.test")
    cases = [
        ("example.test", "alice@example.test"),
        ("EXAMPLE.test", "Alice@Example.TEST"),  # case-insensitive, as the general path
        ("example.test", "alice+news@example.test"),  # subaddress: detail kept
        ("example.test", "team@example.test"),  # alias: both accounts
        ("example.test", "nobody@example.test"),  # local domain, nobody: []
        ("other.test", "alice@other.test"),  # a local domain without that account
        ("remote.test", "alice@remote.test"),  # not ours: None
    ]
    for domain, address in cases:
        fast = store.read(ingest.recipient, domain, address)
        assert fast == store.read(_resolve, domain, address), address
    assert store.read(ingest.recipient, "example.test", "alice@example.test")[0].account_id == account.id
    assert store.read(ingest.recipient, "remote.test", "alice@remote.test") is None
    assert store.read(ingest.recipient, "example.test", "nobody@example.test") == []


def test_delivery_state_matches_state_and_sieve_reads(alice) -> None:
    store, account, _ = alice
    empty = store.read(ingest.delivery_state, account.id, True)
    assert (empty.global_model, empty.user_model, empty.allow, empty.block, empty.script) == (None, None, (), (), None)

    store.write(state.put, "spam", None, "model", b"global-bytes")
    store.write(state.put, "spam", account.id, "model", b"user-bytes")
    store.write(state.put, "spam", account.id, "allow", ["friend@remote.test"])
    store.write(state.put, "spam", account.id, "block", ["@spam.test"],
                expires=datetime.now(UTC) - timedelta(seconds=1))  # expired: ignored
    store.write(state.put, "other", account.id, "allow", ["not-spam-scope"])
    store.write(store_sieve.put_script, account.id, "main", "keep;")
    store.write(store_sieve.put_script, account.id, "spare", "discard;")
    store.write(store_sieve.activate, account.id, "main")

    found = store.read(ingest.delivery_state, account.id, True)
    assert found.global_model == store.read(state.get, "spam", None, "model") == b"global-bytes"
    assert found.user_model == b"user-bytes"
    assert found.allow == ("friend@remote.test",) and found.block == ()
    active = store.read(store_sieve.active_script, account.id)
    assert (found.script_name, found.script) == (active.name, active.content) == ("main", "keep;")
    # Without the global model it is not read at all.
    assert store.read(ingest.delivery_state, account.id, False).global_model is None


@pytest.mark.parametrize("whose", ["global", "user"])
def test_model_is_one_object_until_it_changes(alice, whose) -> None:
    """Readers get the same bytes object while the model row is unchanged (the filter
    worker ships it once); any write, delete or expiry shows at the next read."""
    store, account, _ = alice
    owner = None if whose == "global" else account.id

    def model() -> bytes | None:
        found = store.read(ingest.delivery_state, account.id, True)
        return found.global_model if owner is None else found.user_model  # type: ignore[no-any-return]

    store.write(state.put, "spam", owner, "model", b"PVSB-model-one")
    first = model()
    assert first == b"PVSB-model-one" and model() is first
    store.write(state.put, "spam", owner, "model", b"PVSB-model-two")  # same length, new content
    assert model() == b"PVSB-model-two"
    store.write(state.delete, "spam", owner, "model")
    assert model() is None
    store.write(state.put, "spam", owner, "model", b"PVSB-model-one")  # an id SQLite may hand out again
    assert model() == b"PVSB-model-one"
    store.write(state.put, "spam", owner, "model", b"PVSB-model-3", expires=datetime.now(UTC) - timedelta(seconds=1))
    assert model() is None


def test_mailbox_id_by_name_and_special_use(alice) -> None:
    store, account, inbox = alice
    assert store.read(ingest.mailbox_id, account.id, "inbox") == inbox.id
    junk = store.read(mailboxes.get_special, account.id, "\\Junk")
    assert store.read(ingest.mailbox_id, account.id, special_use="\\Junk") == junk.id
    assert store.read(ingest.mailbox_id, account.id, "No such folder") is None
    assert store.read(ingest.mailbox_id, account.id, special_use="\\Nothing") is None
