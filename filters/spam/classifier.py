"""A Robinson-Fisher (chi-square) Bayesian classifier over hashed features.

The scheme is Gary Robinson's, as used by SpamBayes and Bogofilter: per-token
spam probabilities smoothed towards 0.5 by how often the token was seen, the
strongest clues combined with Fisher's chi-square method into a spam and a ham
indicator, and the two folded into one score in [0, 1] where 0.5 means unsure.

A global model (trained by the administrator) and a per-user model (trained by
the user's Junk / not-Junk moves) are combined at classification time by adding
their counts, the user's weighted up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import linear

# Robinson's f(w) = (s*x + n*p(w)) / (s + n): x is the belief for an unseen token,
# s how strongly we hold it. SpamBayes' tuned defaults.
UNKNOWN_PROB = 0.5
STRENGTH = 0.45
MIN_PROB_STRENGTH = 0.1  # ignore tokens whose f(w) is within 0.1 of 0.5
# Messages of each class in the global model from which its linear part counts as fitted on
# a corpus (the validations train 300-500 spam); below it, Bayes and linear are averaged.
CORPUS_TRAINED = 100


@dataclass
class Model:
    """Training counts: messages per class and, per feature, [spam, ham] message counts."""

    nspam: int = 0
    nham: int = 0
    counts: dict[int, list[int]] = field(default_factory=dict)
    # The logistic-regression second opinion (linear.py); empty until trained.
    weights: dict[int, float] = field(default_factory=dict)
    bias: float = 0.0
    # bayes()' (distance, probability) per known feature for this model alone, valid for the
    # (nspam, nham) in clues_for; train/untrain clear it. Delivery classifies every message
    # against one loaded global model, so each feature's clue is worked out once.
    clues: dict[int, tuple[float, float]] = field(default_factory=dict, repr=False, compare=False)
    clues_for: tuple[int, int] = field(default=(-1, -1), repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.counts)


def train(model: Model, features: Iterable[int], is_spam: bool) -> None:
    index = 0 if is_spam else 1
    model.clues.clear()
    if is_spam:
        model.nspam += 1
    else:
        model.nham += 1
    counts = model.counts
    for f in set(features):
        pair = counts.get(f)
        if pair is None:
            pair = counts[f] = [0, 0]
        pair[index] += 1


def untrain(model: Model, features: Iterable[int], is_spam: bool) -> None:
    """Undo one train(); counts never go below zero, so undoing a message never trained is harmless."""
    index = 0 if is_spam else 1
    model.clues.clear()
    if is_spam:
        model.nspam = max(0, model.nspam - 1)
    else:
        model.nham = max(0, model.nham - 1)
    counts = model.counts
    for f in set(features):
        pair = counts.get(f)
        if pair is None:
            continue
        pair[index] = max(0, pair[index] - 1)
        if pair[0] == 0 and pair[1] == 0:
            del counts[f]


def chi2q(x2: float, v: int) -> float:
    """P(chisq >= x2) with v (even) degrees of freedom: the survival function Fisher's method needs."""
    m = x2 / 2.0
    term = math.exp(-m)
    total = term
    for i in range(1, v // 2):
        term *= m / i
        total += term
    return min(total, 1.0)


@dataclass(frozen=True)
class Score:
    probability: float  # 0 ham .. 1 spam; 0.5 unsure
    clues: int  # how many tokens took part
    trained: bool  # False when there was too little training to say anything


def token_prob(spam: float, ham: float, nspam: float, nham: float) -> float:
    spam_ratio = spam / nspam if nspam else 0.0
    ham_ratio = ham / nham if nham else 0.0
    if spam_ratio + ham_ratio == 0:
        return UNKNOWN_PROB
    p = spam_ratio / (spam_ratio + ham_ratio)
    # Evidence measured in class-balanced counts: with five times more ham than spam
    # trained, raw counts would make every word that happened to appear in ham look
    # like firmer evidence than a word seen in spam.
    n = (spam_ratio + ham_ratio) * (nspam + nham) / 2.0
    return (STRENGTH * UNKNOWN_PROB + n * p) / (STRENGTH + n)


def bayes(
    features: Iterable[int],
    global_model: Model | None,
    user_model: Model | None = None,
    *,
    user_weight: float = 5.0,
    max_discriminators: int = 150,
    min_trained: int = 1,
) -> Score:
    models = [(m, w) for m, w in ((global_model, 1.0), (user_model, user_weight)) if m is not None]
    nspam = sum(m.nspam * w for m, w in models)
    nham = sum(m.nham * w for m, w in models)
    raw_spam = sum(m.nspam for m, _ in models)
    raw_ham = sum(m.nham for m, _ in models)
    if raw_spam < min_trained or raw_ham < min_trained:
        return Score(UNKNOWN_PROB, 0, False)

    clues: list[tuple[float, float]] = []
    if len(models) == 1 and models[0][1] == 1.0:
        # The global model alone (delivery's usual case): each known feature's clue from the
        # model's cache, computed as below on first use. The same floats; the order clues are
        # found in does not matter, they are sorted below.
        model = models[0][0]
        if model.clues_for != (model.nspam, model.nham):
            model.clues = {}
            model.clues_for = (model.nspam, model.nham)
        cache = model.clues
        counts = model.counts
        for f in features if isinstance(features, (set, frozenset)) else set(features):
            clue = cache.get(f)
            if clue is None:
                pair = counts.get(f)
                if pair is None or (pair[0] == 0 and pair[1] == 0):
                    continue
                p = token_prob(0.0 + pair[0] * 1.0, 0.0 + pair[1] * 1.0, nspam, nham)
                clue = cache[f] = (abs(p - 0.5), p)
            if clue[0] >= MIN_PROB_STRENGTH:
                clues.append(clue)
    else:
        for f in set(features):
            spam = ham = 0.0
            for m, w in models:
                pair = m.counts.get(f)
                if pair is not None:
                    spam += pair[0] * w
                    ham += pair[1] * w
            if spam == 0 and ham == 0:
                continue
            p = token_prob(spam, ham, nspam, nham)
            distance = abs(p - 0.5)
            if distance >= MIN_PROB_STRENGTH:
                clues.append((distance, p))
    if not clues:
        return Score(UNKNOWN_PROB, 0, True)
    clues.sort(reverse=True)
    chosen = [p for _, p in clues[:max_discriminators]]

    # Fisher: -2 * sum(ln p) is chi-square with 2n degrees of freedom if the p are uniform.
    n = len(chosen)
    s_log = sum(math.log(max(1.0 - p, 1e-300)) for p in chosen)
    h_log = sum(math.log(max(p, 1e-300)) for p in chosen)
    spam_indicator = 1.0 - chi2q(-2.0 * s_log, 2 * n)
    ham_indicator = 1.0 - chi2q(-2.0 * h_log, 2 * n)
    return Score((spam_indicator - ham_indicator + 1.0) / 2.0, n, True)


def score(
    features: Iterable[int],
    global_model: Model | None,
    user_model: Model | None = None,
    *,
    user_weight: float = 5.0,
    max_discriminators: int = 150,
    min_trained: int = 1,
) -> Score:
    """The Bayes score combined with the linear model's when the models carry weights.

    With a corpus-trained global model, the lower of the two probabilities: a
    message is as spammy as the less convinced model says, so one model's
    overconfidence alone cannot make a false positive. Chi-square Bayes says 1.0
    for a commercial newsletter as readily as for spam; the linear model, which
    weighs correlated clues jointly, has the last word there. Chosen on the
    training-group validations over the mean, weighted means (0.2..0.7 Bayes) and
    a logit sum: the fewest validation hard-ham messages near the threshold (see
    ACCURACY.md). With less training the linear model is a few online steps whose
    probability means little, and the mean keeps it from holding Bayes back.
    """
    features = frozenset(features)
    result = bayes(features, global_model, user_model, user_weight=user_weight,
                   max_discriminators=max_discriminators, min_trained=min_trained)
    if not result.trained:
        return result
    # Only a corpus-fitted global model makes the linear opinion worth hearing: a few
    # one-step user updates alone say little, and the user's Bayes counts already count.
    if global_model is None or not global_model.weights:
        return result
    models = [m for m in (global_model, user_model) if m is not None]
    second = linear.probability(models, features)
    if second is None:
        return result
    if global_model.nspam >= CORPUS_TRAINED and global_model.nham >= CORPUS_TRAINED:
        return Score(min(result.probability, second), result.clues, True)
    return Score((result.probability + second) / 2.0, result.clues, True)
