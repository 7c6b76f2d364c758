"""Each validation message's opinions, recorded once, so score combinations compare in milliseconds.

    records = opinions.record(corpus.load())           # ~10 s: the models of every validation
    opinions.figures(records, opinions.kept)           # the --validate figures of a combination

For the same splits as corpus.py's validations (5-fold CV, the sender-split guard,
later-period and re-routed; training groups only) it keeps, per held-out message, the
Bayes and linear probabilities, the rules' vote (a logistic model over the names of the
rules hit, fitted here beside the others: the fifth and eighth attempts' third opinion),
the rule points and names. A combination is then a function of one Opinion; `kept` is
the shipped one, and figures(records, kept) equals `bench_spam.py --validate`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tests.filters.spam import corpus

VOTE_EPOCHS = 20
Facts = tuple[frozenset[int], tuple[str, ...], float]  # features, rule names, rule points


@dataclass(frozen=True)
class Opinion:
    group: str  # "spam", "easy" or "hard"
    bayes: float
    linear: float
    vote: float
    points: float
    rules: tuple[str, ...]


def kept(o: Opinion) -> float:
    """The shipped combination: the lower probability times 10, plus rule points."""
    return round(10 * min(o.bayes, o.linear) + o.points, 2)


def facts(raw: bytes) -> Facts:
    """What classify() works from, as learn.message_features computes it, plus the rules hit."""
    from postvak.filters.spam import SpamContext, SpamSettings
    from postvak.filters.spam.message import parse
    from postvak.filters.spam.rules import run_rules
    from postvak.filters.spam.tokenizer import features, tokenize

    msg = parse(raw)
    hits = run_rules(msg, SpamContext(), SpamSettings())
    names = tuple(h.name for h in hits)
    return features(tokenize(msg, None, rules=names)), names, sum(h.points for h in hits)


def _vote_features(names: Iterable[str]) -> frozenset[int]:
    from postvak.filters.spam.tokenizer import feature

    # The prefix keeps these apart from message features; "vote bias" is the intercept.
    return frozenset(feature("\0vote:" + n) for n in (*names, "bias"))


class _Models:
    """The corpus model and the rules' vote, trained on one split's training messages."""

    def __init__(self, examples: list[tuple[Facts, bool]]) -> None:
        from postvak.filters.spam import Model, fit

        self.model = corpus.train_model([(f[0], s) for f, s in examples])
        self.vote = Model()
        fit(self.vote, [(_vote_features(f[1]), s) for f, s in examples], epochs=VOTE_EPOCHS)

    def opinion(self, group: str, f: Facts) -> Opinion:
        from postvak.filters.spam import classifier, linear

        lin = linear.probability([self.model], f[0])
        vote = linear.probability([self.vote], _vote_features(f[1]))
        assert lin is not None and vote is not None
        return Opinion(group, classifier.bayes(f[0], self.model).probability, lin, vote, f[2], f[1])


def record(groups: dict[str, list[tuple[str, bytes]]], folds: int = 5) -> dict[str, list[Opinion]]:
    """Opinions on "cv", "sender" (hard ham only), "later" and "rerouted" (spam only)."""
    hard_raw, _test = corpus.split_hard_ham(groups["hard-ham-1"])
    spam = [facts(raw) for _n, raw in groups["spam-1"]]
    easy = [facts(raw) for _n, raw in groups["easy-ham-1"]]
    hard = [facts(raw) for raw in hard_raw]
    out: dict[str, list[Opinion]] = {"cv": [], "sender": [], "later": [], "rerouted": []}

    # As corpus.cross_validate: the i-th message of each group is in fold i % folds.
    labelled = [("spam", spam), ("easy", easy), ("hard", hard)]
    for k in range(folds):
        models = _Models([(f, g == "spam") for g, fs in labelled for i, f in enumerate(fs) if i % folds != k])
        out["cv"] += [models.opinion(g, f) for g, fs in labelled for i, f in enumerate(fs) if i % folds == k]

    # As corpus.sender_cross_validate: hard ham dealt into folds by From domain.
    senders = [corpus._sender_domain(raw) for raw in hard_raw]
    by_size = sorted(set(senders), key=lambda d: (-senders.count(d), d))
    fold_of = {d: j % folds for j, d in enumerate(by_size)}
    others = [(f, True) for f in spam] + [(f, False) for f in easy]
    for k in range(folds):
        examples = [x for i, x in enumerate(others) if i % folds != k]
        examples += [(f, False) for f, d in zip(hard, senders, strict=True) if fold_of[d] != k]
        models = _Models(examples)
        out["sender"] += [models.opinion("hard", f) for f, d in zip(hard, senders, strict=True) if fold_of[d] == k]

    # As corpus.later_period_validate: the first 60 % of spam-1 trains, every fifth ham is held out.
    cut = int(len(spam) * 0.6)
    examples = [(f, True) for f in spam[:cut]]
    held = [("spam", f) for f in spam[cut:]]
    held_raw: list[bytes] = []
    for group, fs, raws in (("easy", easy, [r for _n, r in groups["easy-ham-1"]]), ("hard", hard, hard_raw)):
        for i, (f, raw) in enumerate(zip(fs, raws, strict=True)):
            if i % 5 == 0:
                held.append((group, f))
                held_raw.append(raw)
            else:
                examples.append((f, False))
    models = _Models(examples)
    out["later"] = [models.opinion(g, f) for g, f in held]
    spam_raw = [raw for _n, raw in groups["spam-1"]][cut:]
    out["rerouted"] = [models.opinion("spam", facts(corpus.reroute(raw, held_raw[i * 7 % len(held_raw)])))
                       for i, raw in enumerate(spam_raw)]
    return out


def figures(records: dict[str, list[Opinion]], score: Callable[[Opinion], float],
            threshold: float = 9.0) -> dict[str, float]:
    """The --validate figures (spam caught as fractions, ham as counts) of one combination."""
    def scores(scheme: str, group: str) -> list[float]:
        return [score(o) for o in records[scheme] if o.group == group]

    def flagged(xs: list[float]) -> int:
        return sum(s >= threshold for s in xs)

    cv_spam, cv_easy, cv_hard = scores("cv", "spam"), scores("cv", "easy"), scores("cv", "hard")
    sender = scores("sender", "hard")
    later_spam, rerouted = scores("later", "spam"), scores("rerouted", "spam")
    return {
        "cv_spam_caught": flagged(cv_spam) / len(cv_spam),
        "cv_ham_flagged": flagged(cv_easy) + flagged(cv_hard),
        "cv_hard_ham_max": max(cv_hard),
        "sender_hard_ham_fp": flagged(sender),
        "sender_hard_ham_above_7": sum(s >= 7.0 for s in sender),
        "sender_hard_ham_max": max(sender),
        "later_spam_caught": flagged(later_spam) / len(later_spam),
        "later_ham_flagged": flagged(scores("later", "easy") + scores("later", "hard")),
        "later_rerouted_caught": flagged(rerouted) / len(rerouted),
    }
