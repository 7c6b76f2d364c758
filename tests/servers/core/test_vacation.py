"""servers/core/vacation.py: the out-of-office rule written into the user's filter
script and read back; delivery answers only between its dates. Real store, real
StoreRunner, real Delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from postvak.filters.sieve import rules as R
from postvak.servers.core import vacation
from postvak.store import accounts
from postvak.store import sieve as store_sieve
from tests.servers.core.test_pipeline import Env, mail

START = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
END = datetime(2030, 1, 31, 17, 0, tzinfo=UTC)


@pytest.fixture()
def env(tmp_path: Path):
    e = Env(tmp_path)
    e.acct = e.store.read(accounts.get_account, "u@example.test").id
    try:
        yield e
    finally:
        e.close()


def at(env: Env, when: datetime, sender: str, subject: str) -> None:
    env.delivery.clock = lambda: when
    env.deliver(mail(sender=sender, subject=subject), sender=sender)


def test_set_then_get_round_trip(env: Env) -> None:
    stored = env.store.write(vacation.set_vacation, env.acct, enabled=True, start=START, end=END,
                             subject="Away", text="Back in February.")
    assert stored == vacation.Vacation(True, START, END, "Away", "Back in February.")
    assert env.store.read(vacation.get_vacation, env.acct) == stored
    script = env.store.read(store_sieve.active_script, env.acct)
    assert script.name == "filters"
    assert 'currentdate :zone "+0000" :value "ge" "iso8601" "2030-01-01T09:00:00+00:00"' in script.content
    assert '"date", "relational"' in script.content or '"relational"' in script.content


def test_replies_only_between_the_dates(env: Env) -> None:
    env.store.write(vacation.set_vacation, env.acct, enabled=True, start=START, end=END, subject="Away",
                    text="Back in February.")
    at(env, START - timedelta(minutes=1), "a@remote.test", "before")
    assert env.queued() == []
    at(env, START + timedelta(days=3), "b@remote.test", "during")
    ((sender, to, raw),) = env.queued()
    assert sender == "" and to == ("b@remote.test",)
    assert b"Subject: Away" in raw and b"Back in February." in raw and b"Auto-Submitted: auto-replied" in raw
    at(env, START + timedelta(days=3, hours=1), "b@remote.test", "again")  # once per sender per day
    at(env, END + timedelta(minutes=1), "c@remote.test", "after")
    assert len(env.queued()) == 1
    assert len(env.box("INBOX")) == 4  # the reply never costs the message


def test_disabled_keeps_the_text_and_sends_nothing(env: Env) -> None:
    env.store.write(vacation.set_vacation, env.acct, enabled=True, text="Gone fishing.")
    env.store.write(vacation.set_vacation, env.acct, enabled=False, text="Gone fishing.")
    got = env.store.read(vacation.get_vacation, env.acct)
    assert got == vacation.Vacation(False, None, None, "", "Gone fishing.")
    at(env, START, "a@remote.test", "x")
    assert env.queued() == []


def test_other_rules_are_kept_and_vacation_goes_first(env: Env) -> None:
    rules = [R.Rule("bills", (R.Condition("subject", "contains", "invoice"),), (R.RuleAction("move", "Trash"),
                                                                              R.RuleAction("stop"),))]
    env.script(R.render_rules(rules))
    env.store.write(vacation.set_vacation, env.acct, enabled=True, start=START, subject="Away", text="Later.")
    content = env.store.read(store_sieve.active_script, env.acct).content
    assert [r.name for r in R.parse_rules(content)] == ["Out of office", "bills"]
    at(env, START + timedelta(hours=1), "a@remote.test", "invoice 1")  # filed in Trash, still answered
    assert len(env.queued()) == 1 and len(env.box("Trash")) == 1
    env.store.write(vacation.set_vacation, env.acct, enabled=True, end=END, text="Changed.")
    content = env.store.read(store_sieve.active_script, env.acct).content
    assert [r.name for r in R.parse_rules(content)] == ["Out of office", "bills"]
    assert env.store.read(vacation.get_vacation, env.acct) == vacation.Vacation(True, None, END, "", "Changed.")


def test_local_times_are_stored_in_utc(env: Env) -> None:
    cet = timezone(timedelta(hours=1))
    env.store.write(vacation.set_vacation, env.acct, enabled=True, start=datetime(2030, 1, 1, 10, 0, tzinfo=cet),
                    end=datetime(2030, 1, 2), text="x")
    got = env.store.read(vacation.get_vacation, env.acct)
    assert got.start == START and got.end == datetime(2030, 1, 2, tzinfo=UTC)


def test_hand_written_script_is_not_rewritten(env: Env) -> None:
    env.script('require "fileinto";\nif header :contains "subject" "x" { fileinto "Trash"; }\n')
    with pytest.raises(vacation.NotRulesLayout):
        env.store.write(vacation.set_vacation, env.acct, enabled=True, text="x")
    assert env.store.read(vacation.get_vacation, env.acct) == vacation.Vacation()


def test_end_before_start_is_refused(env: Env) -> None:
    with pytest.raises(ValueError):
        env.store.write(vacation.set_vacation, env.acct, enabled=True, start=END, end=START, text="x")


def test_through_a_server_context(env: Env) -> None:
    ctx = env.delivery.ctx

    async def run() -> vacation.Vacation:
        await vacation.set_vacation(ctx, env.acct, enabled=True, start=START, end=END, subject="S", text="T")
        return await vacation.get_vacation(ctx, env.acct)

    assert env.loop.run_until_complete(run()) == vacation.Vacation(True, START, END, "S", "T")


def test_no_vacation_reads_disabled(env: Env) -> None:
    assert env.store.read(vacation.get_vacation, env.acct) == vacation.Vacation()


def test_date_conditions_round_trip_in_the_rules_layout() -> None:
    rule = R.Rule("v", (R.Condition("currentdate", "ge", "2030-01-01"),
                        R.Condition("currentdate", "le", "2030-01-31T17:00:00+00:00")),
                  (R.RuleAction("reply", "away", "S"),))
    text = R.render_rules([rule])
    assert 'currentdate :zone "+0000" :value "ge" "date" "2030-01-01"' in text
    assert R.parse_rules(text) == [rule]
