"""Antispam decision: pure functions over message bytes, models and per-user settings.

    verdict = classify(raw, context=SpamContext(...), global_model=m, user_model=u, settings=s)
    model_bytes = learn(model_bytes, raw, is_spam=True)
    fit(model, [(message_features(raw), is_spam), ...])  # whole-corpus training of the linear part
"""

from .classifier import Model, score, train, untrain
from .decide import classify
from .learn import learn, unlearn
from .linear import fit
from .serialize import ModelFormatError, dumps, loads
from .types import Hit, Resolver, SpamContext, SpamSettings, Verdict

__all__ = [
    "Hit",
    "Model",
    "ModelFormatError",
    "Resolver",
    "SpamContext",
    "SpamSettings",
    "Verdict",
    "classify",
    "dumps",
    "fit",
    "learn",
    "loads",
    "score",
    "train",
    "unlearn",
    "untrain",
]
