"""A logistic-regression second opinion over the same hashed features as the Bayes model.

Naive Bayes counts every correlated clue separately (an HTML newsletter's many
"commercial" tokens add up to spam); a discriminatively trained linear model
weighs them jointly, which is what keeps solicited bulk mail (the hard ham)
apart from spam. Weights live in the same Model as the Bayes counts.

Two ways in: `fit` (a shuffled few-epoch AdaGrad pass over a whole corpus, for
administrator training) and `update` (one SGD step per message, for a user's
Junk / not-Junk moves, which arrive one at a time).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .classifier import Model

EPOCHS = 6
RATE = 0.1  # AdaGrad base rate for fit
STEP = 0.05  # plain SGD step for one-message updates
L2 = 1e-5
BIAS_RATE = 0.01
SETTLED = 1e-3  # skip messages the model already gets right with this margin: nothing to learn
_Z_CAP = 30.0


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-_Z_CAP, min(_Z_CAP, z))))


def probability(models: Sequence[Model], feats: Iterable[int]) -> float | None:
    """Spam probability from the summed weights of the models; None when none has weights."""
    weighted = [m for m in models if m.weights]
    if not weighted:
        return None
    z = sum(m.bias for m in weighted)
    if len(weighted) == 1:
        # Delivery's case: one model, no inner loop. The same additions in the same order
        # (a missing weight added 0.0), so the same float.
        get = weighted[0].weights.get
        for f in set(feats):
            w = get(f)
            if w is not None:
                z += w
        return _sigmoid(z)
    for f in set(feats):
        for m in weighted:
            z += m.weights.get(f, 0.0)
    return _sigmoid(z)


def fit(model: Model, examples: Sequence[tuple[frozenset[int], bool]], *, epochs: int = EPOCHS, seed: int = 1) -> None:
    """Train the weights on a corpus (continuing from the current weights)."""
    weights = model.weights
    squares: dict[int, float] = {}
    order = list(examples)
    rnd = random.Random(seed)  # fixed seed: the same corpus always gives the same model
    bias = model.bias
    for _ in range(epochs):
        rnd.shuffle(order)
        for feats, is_spam in order:
            z = bias + sum(weights.get(f, 0.0) for f in feats)
            grad = _sigmoid(z) - (1.0 if is_spam else 0.0)
            if abs(grad) < SETTLED:
                continue
            for f in feats:
                w = weights.get(f, 0.0)
                g = grad + L2 * w
                acc = squares.get(f, 0.0) + g * g
                squares[f] = acc
                weights[f] = w - RATE * g / math.sqrt(acc)
            bias -= BIAS_RATE * grad
    model.bias = bias


def update(model: Model, feats: Iterable[int], is_spam: bool, *, sign: float = 1.0) -> None:
    """One SGD step towards the label; sign=-1 undoes (approximately) an earlier step."""
    feats = set(feats)
    z = model.bias + sum(model.weights.get(f, 0.0) for f in feats)
    grad = sign * (_sigmoid(z) - (1.0 if is_spam else 0.0))
    if abs(grad) < SETTLED:
        return
    for f in feats:
        model.weights[f] = model.weights.get(f, 0.0) - STEP * grad
    model.bias -= BIAS_RATE * grad
