from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.filters.spam import Model, ModelFormatError, dumps, fit, learn, loads, score, train, untrain
from postvak.filters.spam.classifier import chi2q, token_prob
from postvak.filters.spam.learn import message_features
from tests.filters.spam.samples import HAM_BODIES, SPAM_BODIES, message


def trained() -> Model:
    model = Model()
    for body in SPAM_BODIES:
        train(model, message_features(message("Offer", body, sender="deals@spam.example")), True)
    for body in HAM_BODIES:
        train(model, message_features(message("Project", body)), False)
    return model


def test_train_counts_messages_and_features() -> None:
    model = Model()
    train(model, [1, 2, 2, 3], True)
    train(model, [2], False)
    assert (model.nspam, model.nham) == (1, 1)
    assert model.counts == {1: [1, 0], 2: [1, 1], 3: [1, 0]}


def test_untrain_reverses_train_and_never_goes_negative() -> None:
    model = Model()
    train(model, [1, 2], True)
    train(model, [2], False)
    untrain(model, [1, 2], True)
    assert (model.nspam, model.nham) == (0, 1)
    assert model.counts == {2: [0, 1]}
    untrain(model, [7, 2], True)  # never trained as spam: harmless
    assert model.counts == {2: [0, 1]} and model.nspam == 0


def test_untrained_model_is_unsure() -> None:
    result = score([1, 2, 3], Model())
    assert result.probability == 0.5 and not result.trained


def test_spam_and_ham_separate() -> None:
    model = trained()
    spam = score(message_features(message("Win", "FREE prize click here now, cheap pills casino bonus!!!")), model)
    ham = score(message_features(message("Notes", "Please review the project notes before the meeting at noon.")), model)
    assert spam.probability > 0.8
    assert ham.probability < 0.1


def test_user_model_adds_to_global_and_weighs_more() -> None:
    feats = message_features(message("Newsletter", "Weekly garden newsletter: tulips and roses"))
    global_model = trained()
    user = Model()
    for _ in range(3):
        train(user, feats, True)
    with_user = score(feats, global_model, user, user_weight=5.0)
    without = score(feats, global_model)
    assert with_user.probability > without.probability
    assert with_user.probability > 0.9


def test_token_probability_is_smoothed_towards_half() -> None:
    assert token_prob(0, 0, 10, 10) == 0.5
    once = token_prob(1, 0, 10, 10)
    often = token_prob(50, 0, 100, 100)
    assert 0.5 < once < often < 1.0


def test_chi2q_known_values() -> None:
    assert chi2q(0.0, 2) == pytest.approx(1.0)
    assert chi2q(2.0, 2) == pytest.approx(0.36787944, rel=1e-6)  # exp(-1)
    assert chi2q(1000.0, 2) < 1e-100


def test_serialise_round_trip() -> None:
    model = trained()
    data = dumps(model)
    assert data[:4] == b"PVSB" and data[4] == 2
    back = loads(data)
    assert (back.nspam, back.nham) == (model.nspam, model.nham)
    assert back.counts == model.counts


def test_serialise_round_trip_keeps_linear_weights() -> None:
    model = trained()
    fit(model, [(frozenset([1, 2]), True), (frozenset([3]), False)] * 5)
    back = loads(dumps(model))
    assert back.bias == model.bias
    assert back.weights.keys() == model.weights.keys()
    for key, weight in model.weights.items():
        assert back.weights[key] == pytest.approx(weight, rel=1e-6)  # stored as f32


def test_version_1_bytes_still_load() -> None:
    # Version 1: header, then zlib(deltas u64 | spam u32 | ham u32), no bias, no weights.
    import struct
    import zlib
    from array import array

    body = array("Q", [5, 2]).tobytes() + array("I", [3, 0]).tobytes() + array("I", [1, 4]).tobytes()
    data = struct.pack(">4sB3xII", b"PVSB", 1, 3, 4) + zlib.compress(body)
    back = loads(data)
    assert (back.nspam, back.nham) == (3, 4)
    assert back.counts == {5: [3, 1], 7: [0, 4]}
    assert back.weights == {} and back.bias == 0.0


def test_serialisation_is_compact() -> None:
    model = Model()
    for i in range(200):
        train(model, range(i * 10, i * 10 + 50), i % 2 == 0)
    assert len(dumps(model)) < 16 * len(model)


def test_bad_bytes_are_rejected() -> None:
    with pytest.raises(ModelFormatError):
        loads(b"nope")
    with pytest.raises(ModelFormatError):
        loads(b"XXXX" + dumps(Model())[4:])
    newer = bytearray(dumps(Model()))
    newer[4] = 99
    with pytest.raises(ModelFormatError, match="version 99"):
        loads(bytes(newer))
    with pytest.raises(ModelFormatError):
        loads(dumps(Model())[:16] + b"garbage")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_loads_only_raises_model_format_error(data: bytes) -> None:
    try:
        loads(b"PVSB\x01\x00\x00\x00" + data)
    except ModelFormatError:
        pass


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sets(st.integers(0, 2**64 - 1), max_size=20), st.booleans()), max_size=20))
def test_round_trip_any_model(trainings: list[tuple[set[int], bool]]) -> None:
    model = Model()
    for feats, is_spam in trainings:
        train(model, feats, is_spam)
    assert loads(dumps(model)) == model


def test_learn_builds_and_updates_model_bytes() -> None:
    raw = message("Win", SPAM_BODIES[0])
    data = learn(None, raw, True)
    model = loads(data)
    assert (model.nspam, model.nham) == (1, 0)
    # Moving it out of Junk: undo the spam training, train as ham.
    model = loads(learn(data, raw, False, undo=True))
    assert (model.nspam, model.nham) == (0, 1)
    assert all(pair == [0, 1] for pair in model.counts.values())
