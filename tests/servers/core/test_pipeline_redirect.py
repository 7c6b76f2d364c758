"""Redirects and aliases to local addresses go back through Delivery (the target's
own spam check and Sieve), the hop limit is a setting, and the spam check gets the
SMTP connection facts as an Arrival. Real store, real StoreRunner."""

from __future__ import annotations

from pathlib import Path

import pytest

from postvak.config.loader import load_settings
from postvak.filters.spam import SpamSettings
from postvak.servers.core import delivery_spam, pipeline
from postvak.servers.core.delivery import Arrival
from postvak.store import accounts
from tests.servers.core.test_pipeline import GTUBE, Env, mail


@pytest.fixture()
def env(tmp_path: Path):
    e = Env(tmp_path)
    try:
        yield e
    finally:
        e.close()


def deliver(env: Env, raw: bytes, to: str = "u@example.test", arrival: Arrival | None = None):
    rcpts = env.store.read(accounts.resolve_recipient, to)
    return env.loop.run_until_complete(
        env.delivery.deliver_all("a@remote.test", rcpts, raw, source="smtp", arrival=arrival))


def test_local_redirect_runs_the_targets_sieve(env: Env) -> None:
    env.script('redirect "v@example.test";\n')
    env.script('require ["fileinto", "mailbox"];\nfileinto :create "From U";\n', "v@example.test")
    deliver(env, mail())
    assert env.box("INBOX") == []
    assert env.box("INBOX", "v@example.test") == []
    (copy,) = env.box("From U", "v@example.test")
    assert copy.startswith(b"Return-Path: <a@remote.test>\r\nDelivered-To: u@example.test\r\nX-Spam-Status: ")
    assert copy.count(b"X-Spam-Status:") == 1  # v's own verdict, not u's passed along
    assert env.queued() == []


def test_local_redirect_runs_the_targets_spam_check(env: Env) -> None:
    v = env.store.read(accounts.get_account, "v@example.test")
    env.store.write(delivery_spam.add_to_list, v.id, "block", "@remote.test")
    env.script('require "copy";\nredirect :copy "v@example.test";\n')
    deliver(env, mail())
    assert len(env.box("INBOX")) == 1  # u has no block list: ham
    assert env.box("INBOX", "v@example.test") == []
    (copy,) = env.box("", "v@example.test", special="\\Junk")
    assert b"\r\nX-Spam-Status: Yes" in copy


def test_redirect_cycle_between_local_users_stops(env: Env) -> None:
    env.script('redirect "v@example.test";\n')
    env.script('redirect "u@example.test";\n', "v@example.test")
    outcome = deliver(env, mail())
    assert all(r.ok for r in outcome.results)
    # u -> v -> u: u meets its own Delivered-To and keeps the message: exactly one copy.
    (kept,) = env.box("INBOX")
    assert b"Delivered-To: v@example.test\r\n" in kept and b"Delivered-To: u@example.test\r\n" in kept
    assert env.box("INBOX", "v@example.test") == []
    assert env.queued() == []


def test_spam_is_not_redirected_locally(env: Env) -> None:
    env.script('redirect "v@example.test";\n')
    deliver(env, mail(body=GTUBE))
    assert len(env.box("", special="\\Junk")) == 1
    assert env.box("INBOX", "v@example.test") == []


def test_alias_expansion_gives_each_member_its_own_filters(env: Env) -> None:
    env.store.write(accounts.add_alias, "team@example.test", ["u@example.test", "v@example.test"])
    env.script('require "fileinto";\nfileinto "Trash";\n', "v@example.test")
    deliver(env, mail(to="team@example.test"), to="team@example.test")
    assert len(env.box("INBOX")) == 1
    assert env.box("INBOX", "v@example.test") == []
    assert len(env.box("Trash", "v@example.test")) == 1


def test_redirect_to_alias_goes_through_delivery(env: Env) -> None:
    env.store.write(accounts.add_alias, "desk@example.test", ["v@example.test"])
    env.script('redirect "desk@example.test";\n')
    env.script('require ["imap4flags"];\naddflag "$FromDesk";\n', "v@example.test")
    deliver(env, mail())
    assert len(env.box("INBOX", "v@example.test")) == 1
    (meta,) = env.metas
    assert "$FromDesk" in meta.flags


def test_hop_limit_is_a_setting(env: Env) -> None:
    assert pipeline.max_hops(load_settings(None, env={})) == 25
    settings = load_settings(None, env={"POSTVAK_DELIVERY__MAX_HOPS": "3"})
    assert pipeline.max_hops(settings) == 3
    env.delivery.max_hops = 3
    env.script('redirect "fwd@remote.test";\n')
    hops = "".join(f"Received: from h{i} by h{i + 1}; Mon, 3 Jun 2024 10:00:00 +0000\r\n" for i in range(2))
    deliver(env, mail(subject="two hops", extra=hops))
    assert len(env.queued()) == 1  # 2 < 3: forwarded
    hops += "Received: from h9 by h10; Mon, 3 Jun 2024 10:00:00 +0000\r\n"
    deliver(env, mail(subject="three hops", extra=hops))
    assert len(env.queued()) == 1  # 3 hops: looping, kept instead
    assert len(env.box("INBOX")) == 1


def test_local_redirect_chain_counts_as_hops(env: Env) -> None:
    env.delivery.max_hops = 1
    env.store.write(accounts.add_account, "w@example.test", "x")
    env.script('redirect "v@example.test";\n')
    env.script('redirect "w@example.test";\n', "v@example.test")
    deliver(env, mail())
    # u -> v adds one Delivered-To, a hop: v is at the limit and keeps it.
    assert len(env.box("INBOX", "v@example.test")) == 1
    assert env.box("INBOX", "w@example.test") == []


def test_arrival_feeds_the_spam_check(env: Env) -> None:
    seen: list[str] = []

    def resolver(name: str) -> list[str]:
        seen.append(name)
        return ["127.0.0.2"] if name == "99.0.0.11.bl.test" else []

    env.delivery.spam_conf = SpamSettings(dnsbl_zones=("bl.test",), dns_resolver=resolver)
    arrival = Arrival(client_ip="11.0.0.99", helo="mx.remote.test", spf="fail", dkim="pass", dmarc="fail")
    deliver(env, mail(), arrival=arrival)
    (stored,) = env.box("INBOX") + env.box("", special="\\Junk")
    status = stored.split(b"\r\n", 1)[0].decode()
    for rule in ("RCVD_IN_DNSBL", "SPF_FAIL", "DMARC_FAIL", "DKIM_PASS"):
        assert rule in status, status
    assert seen == ["99.0.0.11.bl.test"]


def test_without_arrival_auth_results_header_is_read(env: Env) -> None:
    extra = "Authentication-Results: mx.example.test; spf=softfail smtp.mailfrom=a@remote.test; dkim=fail\r\n"
    deliver(env, mail(extra=extra))
    (stored,) = env.box("INBOX")
    status = stored.split(b"\r\n", 1)[0].decode()
    assert "SPF_SOFTFAIL" in status and "DKIM_FAIL" in status


def test_arrival_overrides_the_header(env: Env) -> None:
    extra = "Authentication-Results: mx.example.test; spf=fail smtp.mailfrom=a@remote.test\r\n"
    deliver(env, mail(extra=extra), arrival=Arrival(client_ip="192.0.2.1", spf="pass"))
    (stored,) = env.box("INBOX")
    assert b"SPF_FAIL" not in stored.split(b"\r\n", 1)[0]


def test_authenticated_arrival_skips_the_spam_check(env: Env) -> None:
    deliver(env, mail(body=GTUBE), arrival=Arrival(client_ip="192.0.2.1", authenticated=True))
    (stored,) = env.box("INBOX")
    assert not stored.startswith(b"X-Spam-Status")


def test_dkim_word() -> None:
    assert pipeline.dkim_word([]) == "none"
    assert pipeline.dkim_word([("fail", "a.test"), ("pass", "b.test")]) == "pass"
    assert pipeline.dkim_word([("temperror", "a.test")]) == "temperror"


def test_spam_threshold_is_the_classifier_score() -> None:
    on, conf = pipeline.spam_settings(load_settings(None, env={}))
    assert on and conf.threshold == 9.0 == SpamSettings().threshold
    _, conf = pipeline.spam_settings(load_settings(None, env={"POSTVAK_SPAM__THRESHOLD": "12.5"}))
    assert conf.threshold == 12.5


def test_verdict_goes_below_return_path(env: Env) -> None:
    from postvak.servers.core.training import strip_verdict

    deliver(env, b"Return-Path: <a@remote.test>\r\n" + mail())
    (stored,) = env.box("INBOX")
    assert stored.startswith(b"Return-Path: <a@remote.test>\r\nX-Spam-Status: No")
    # training reads the sender's words: the Return-Path stays, our verdict goes
    assert strip_verdict(stored) == b"Return-Path: <a@remote.test>\r\n" + mail()
