"""The decision: Bayes score + rule points, overridden by allow/block lists, as a Verdict."""

from __future__ import annotations

import math

from . import classifier
from .classifier import Model
from .lists import decide as list_decision
from .message import parse
from .rules import run_rules
from .rules.gtube import NAME as GTUBE
from .tokenizer import features, tokenize
from .types import SpamContext, SpamSettings, Verdict

DEFAULT_SETTINGS = SpamSettings()
LIST_POINTS = 100.0  # allow/block move the score this far so it is never near the threshold


def bayes_reason(p: float) -> str:
    """SpamAssassin-style bucket name, e.g. BAYES_99 or BAYES_00."""
    bucket = min(99, int(p * 100))
    return f"BAYES_{bucket:02d}"


def spamtest_value(score: float, threshold: float, is_spam: bool) -> int:
    """RFC 5235 3.2: 1 = surely not spam .. 10 = surely spam (0 is reserved for "not tested")."""
    if threshold <= 0:
        return 10 if is_spam else 1
    if is_spam:
        return 10 if score >= 1.5 * threshold else 9
    return max(1, min(8, 1 + math.floor(8 * max(score, 0.0) / threshold)))


def _clean(value: str) -> str:
    # Header values must not carry line breaks (header injection).
    return " ".join(value.split())


def status_headers(is_spam: bool, score: float, threshold: float, reasons: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    tests = ",".join(r.split("(")[0] for r in reasons) or "none"
    headers = [
        ("X-Spam-Status", _clean(f"{'Yes' if is_spam else 'No'}, score={score:.1f} required={threshold:.1f} tests={tests}")),
        ("X-Spam-Score", f"{score:.1f}"),
    ]
    if is_spam:
        headers.append(("X-Spam-Flag", "YES"))
    return tuple(headers)


def classify(
    raw: bytes,
    *,
    context: SpamContext,
    global_model: Model | None,
    user_model: Model | None = None,
    settings: SpamSettings = DEFAULT_SETTINGS,
) -> Verdict:
    msg = parse(raw)
    threshold = settings.threshold
    hits = run_rules(msg, context, settings)
    reasons = [f"{h.name}({h.points:+g})" for h in hits if h.points]
    score = sum(h.points for h in hits)

    bayes = classifier.score(
        features(tokenize(msg, context, bigrams=settings.bigrams, rules=(h.name for h in hits))),
        global_model,
        user_model,
        user_weight=settings.user_weight,
        max_discriminators=settings.max_discriminators,
        min_trained=settings.min_trained,
    )
    score += settings.bayes_weight * bayes.probability
    reasons.insert(0, bayes_reason(bayes.probability) if bayes.trained else "BAYES_UNTRAINED")

    listed, why = list_decision(msg, context)
    gtube = any(h.name == GTUBE for h in hits)
    if listed is not None and why and not gtube:  # GTUBE is a test of the path: lists do not hide it
        score += LIST_POINTS if listed else -LIST_POINTS
        reasons.insert(0, why)

    score = round(score, 2)
    is_spam = score >= threshold
    pct = max(0, min(100, round(100 * score / (2 * threshold)))) if threshold > 0 else (100 if is_spam else 0)
    return Verdict(
        is_spam=is_spam,
        score=score,
        threshold=threshold,
        reasons=tuple(reasons),
        spamtest=spamtest_value(score, threshold, is_spam),
        spamtest_percent=pct,
        headers=status_headers(is_spam, score, threshold, tuple(reasons)),
    )
