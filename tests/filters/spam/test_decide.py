from __future__ import annotations

from postvak.filters.spam import Model, SpamContext, SpamSettings, classify, learn, loads, train
from postvak.filters.spam.decide import spamtest_value
from postvak.filters.spam.learn import message_features
from postvak.filters.spam.rules.gtube import GTUBE
from tests.filters.spam.samples import HAM_BODIES, SPAM_BODIES, message

CTX = SpamContext()


def model() -> Model:
    m = Model()
    for body in SPAM_BODIES:
        train(m, message_features(message("Offer", body, sender="deals@spam.example")), True)
    for body in HAM_BODIES:
        train(m, message_features(message("Project", body)), False)
    return m


def test_gtube_is_always_spam_even_when_allowed() -> None:
    raw = message(body=GTUBE.decode())
    verdict = classify(raw, context=SpamContext(allow=("alice@example.org",)), global_model=None)
    assert verdict.is_spam and verdict.score >= 1000 and "GTUBE(+1000)" in verdict.reasons
    assert verdict.spamtest == 10


def test_verdict_headers_and_spamtest() -> None:
    spam = classify(message("Offer", SPAM_BODIES[0], sender="deals@spam.example"), context=CTX, global_model=model())
    assert spam.is_spam and spam.spamtest >= 9 and spam.threshold == SpamSettings().threshold
    headers = dict(spam.headers)
    assert headers["X-Spam-Flag"] == "YES"
    assert headers["X-Spam-Status"].startswith("Yes, score=") and "BAYES_" in headers["X-Spam-Status"]
    assert float(headers["X-Spam-Score"]) == round(spam.score, 1)

    ham = classify(message(), context=CTX, global_model=model())
    assert not ham.is_spam and 1 <= ham.spamtest <= 8
    assert "X-Spam-Flag" not in dict(ham.headers)
    assert dict(ham.headers)["X-Spam-Status"].startswith("No, ")
    assert all("\n" not in v and "\r" not in v for _, v in ham.headers)
    assert 0 <= ham.spamtest_percent < spam.spamtest_percent <= 100


def test_spamtest_scale() -> None:
    # RFC 5235 3.2: 1..10, never 0 (that means untested) for a tested message.
    assert spamtest_value(-50, 9, False) == 1
    assert spamtest_value(8.9, 9, False) == 8
    assert spamtest_value(9, 9, True) == 9
    assert spamtest_value(100, 9, True) == 10


def test_blocklist_makes_spam() -> None:
    ctx = SpamContext(block=("@example.org",))
    verdict = classify(message(), context=ctx, global_model=model())
    assert verdict.is_spam and verdict.reasons[0] == "BLOCKLIST(@example.org)"


def test_allowlist_makes_ham() -> None:
    raw = message("Offer", SPAM_BODIES[1], sender="deals@spam.example")
    assert classify(raw, context=CTX, global_model=model()).is_spam
    for entry in ("deals@spam.example", "@spam.example", "DEALS@Spam.Example"):
        verdict = classify(raw, context=SpamContext(allow=(entry,)), global_model=model())
        assert not verdict.is_spam and verdict.reasons[0].startswith("ALLOWLIST")


def test_allowlist_matches_envelope_sender() -> None:
    raw = message("Offer", SPAM_BODIES[1], sender="deals@spam.example")
    ctx = SpamContext(envelope_from="<bounce@lists.example>", allow=("@lists.example",))
    assert not classify(raw, context=ctx, global_model=model()).is_spam


def test_allowlist_ignored_when_authentication_fails() -> None:
    raw = message("Offer", SPAM_BODIES[1], sender="deals@spam.example")
    ctx = SpamContext(allow=("@spam.example",), dmarc="fail")
    verdict = classify(raw, context=ctx, global_model=model())
    assert verdict.is_spam and not any(r.startswith("ALLOWLIST") for r in verdict.reasons)


def test_exact_allow_beats_domain_block() -> None:
    ctx = SpamContext(allow=("alice@example.org",), block=("@example.org",))
    assert not classify(message(), context=ctx, global_model=model()).is_spam
    ctx = SpamContext(allow=("@example.org",), block=("alice@example.org",))
    assert classify(message(), context=ctx, global_model=model()).is_spam


def test_auth_failures_push_the_score() -> None:
    raw = message()
    clean = classify(raw, context=CTX, global_model=model())
    failed = classify(raw, context=SpamContext(spf="fail", dmarc="fail"), global_model=model())
    assert failed.score == clean.score + 5.0
    assert "SPF_FAIL(+2)" in failed.reasons and "DMARC_FAIL(+3)" in failed.reasons


def test_training_as_ham_changes_the_next_verdict_of_a_similar_message() -> None:
    global_model = model()
    first = message("Garden club offer", "FREE tulip bulbs for members, click here now, limited offer!!!",
                    sender="club@garden.example")
    similar = message("Garden club offer", "FREE rose bulbs for members, click here now, limited offer!!!",
                      sender="club@garden.example")
    assert classify(similar, context=CTX, global_model=global_model).is_spam

    user_bytes = learn(None, first, False)  # the user moves the first one out of Junk
    after = classify(similar, context=CTX, global_model=global_model, user_model=loads(user_bytes))
    assert not after.is_spam


def test_training_as_spam_changes_the_next_verdict() -> None:
    global_model = model()
    first = message("Project notes", "Weekly garden newsletter about tulips and roses for the project team",
                    sender="news@garden.example")
    similar = message("Project notes", "Weekly garden newsletter about roses and tulips for the project team",
                      sender="news@garden.example")
    assert not classify(similar, context=CTX, global_model=global_model).is_spam
    user_bytes = learn(None, first, True)
    assert classify(similar, context=CTX, global_model=global_model, user_model=loads(user_bytes)).is_spam


def test_settings_from_config_mapping() -> None:
    settings = SpamSettings.from_mapping({"threshold": 6.5, "dnsbl_zones": ["bl.example"], "unknown": 1})
    assert settings.threshold == 6.5 and settings.dnsbl_zones == ("bl.example",)
    raw = message("Offer", SPAM_BODIES[0], sender="deals@spam.example")
    assert classify(raw, context=CTX, global_model=model(), settings=settings).threshold == 6.5


def test_garbage_input_gives_a_verdict() -> None:
    verdict = classify(b"\x00\xff\r\n\r\n\x80garbage", context=CTX, global_model=None)
    assert verdict.reasons[0] == "BAYES_UNTRAINED" and 1 <= verdict.spamtest <= 10
