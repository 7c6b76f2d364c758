"""Training entry points for the server side (Junk moves, admin corpus training)."""

from __future__ import annotations

from . import classifier, linear
from .classifier import Model
from .message import parse
from .rules import run_rules
from .serialize import dumps, loads
from .tokenizer import features, tokenize
from .types import SpamContext, SpamSettings


def message_features(raw: bytes, settings: SpamSettings | None = None) -> frozenset[int]:
    """The features classify() sees, minus what only delivery knows (envelope, SPF/DKIM, DNSBL)."""
    settings = settings or SpamSettings()
    msg = parse(raw)
    hits = run_rules(msg, SpamContext(), settings)
    return features(tokenize(msg, None, bigrams=settings.bigrams, rules=(h.name for h in hits)))


def learn(
    model_bytes: bytes | None,
    raw: bytes,
    is_spam: bool,
    *,
    undo: bool | None = None,
    settings: SpamSettings | None = None,
) -> bytes:
    """Train one message into a serialised model and return the new bytes.

    `undo`: the class the message was trained as before (True spam / False ham),
    removed first; e.g. moving a message out of Junk is learn(m, raw, False, undo=True).
    None means it was never trained.
    """
    model = loads(model_bytes) if model_bytes else Model()
    feats = message_features(raw, settings)
    if undo is not None:
        classifier.untrain(model, feats, undo)
    classifier.train(model, feats, is_spam)
    # The linear model learns online: one step towards the label, which also pulls
    # it back from an earlier opposite training.
    linear.update(model, feats, is_spam)
    return dumps(model)


def unlearn(model_bytes: bytes | None, raw: bytes, was_spam: bool, *, settings: SpamSettings | None = None) -> bytes:
    """Remove one earlier training of a message (e.g. it was deleted before a retrain)."""
    model = loads(model_bytes) if model_bytes else Model()
    feats = message_features(raw, settings)
    classifier.untrain(model, feats, was_spam)
    if model.weights:
        linear.update(model, feats, was_spam, sign=-1.0)
    return dumps(model)
