from __future__ import annotations

from postvak.filters.spam import Model, fit, learn, loads, score, train
from postvak.filters.spam.learn import message_features
from postvak.filters.spam.linear import probability, update
from tests.filters.spam.samples import HAM_BODIES, SPAM_BODIES, message


def corpus() -> list[tuple[frozenset[int], bool]]:
    spam = [(message_features(message("Offer", b, sender="deals@spam.example")), True) for b in SPAM_BODIES]
    ham = [(message_features(message("Project", b)), False) for b in HAM_BODIES]
    return spam + ham


def test_untrained_model_has_no_opinion() -> None:
    assert probability([Model()], [1, 2, 3]) is None


def test_fit_separates_the_classes() -> None:
    model = Model()
    examples = corpus()
    fit(model, examples)
    for feats, is_spam in examples:
        p = probability([model], feats)
        assert p is not None and (p > 0.8 if is_spam else p < 0.2)


def test_fit_is_deterministic() -> None:
    a, b = Model(), Model()
    fit(a, corpus())
    fit(b, corpus())
    assert a.weights == b.weights and a.bias == b.bias


def test_update_moves_towards_the_label_and_sign_reverses_it() -> None:
    model = Model()
    fit(model, corpus())
    feats = message_features(message("Garden", "weekly garden newsletter roses tulips"))
    before = probability([model], feats)
    update(model, feats, True)
    after = probability([model], feats)
    assert before is not None and after is not None and after > before
    update(model, feats, True, sign=-1.0)
    back = probability([model], feats)
    assert back is not None and abs(back - before) < abs(after - before)


def test_score_averages_bayes_and_linear_after_little_training() -> None:
    model = Model()
    examples = corpus()
    for feats, is_spam in examples:
        train(model, feats, is_spam)
    spam_feats = examples[0][0]
    bayes_only = score(spam_feats, model)
    fit(model, examples)
    both = score(spam_feats, model)
    lin = probability([model], spam_feats)
    assert lin is not None
    assert both.probability == (bayes_only.probability + lin) / 2


def test_score_takes_the_less_convinced_of_bayes_and_linear_after_corpus_training() -> None:
    model = Model()
    examples = corpus() * 20  # CORPUS_TRAINED messages of each class
    for feats, is_spam in examples:
        train(model, feats, is_spam)
    fit(model, examples)
    for feats, _is_spam in examples[:12]:
        bayes_only = score(feats, Model(nspam=model.nspam, nham=model.nham, counts=model.counts))
        lin = probability([model], feats)
        assert lin is not None
        assert score(feats, model).probability == min(bayes_only.probability, lin)


def test_learn_keeps_fitted_weights_and_nudges_them() -> None:
    from postvak.filters.spam import dumps

    model = Model()
    fit(model, corpus())
    raw = message("Garden", "weekly garden newsletter roses tulips")
    after = loads(learn(dumps(model), raw, True))
    feats = message_features(raw)
    assert after.weights and any(after.weights[f] > model.weights.get(f, 0.0) for f in feats)
