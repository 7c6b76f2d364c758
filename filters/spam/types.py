"""The inputs and the output of the spam decision, as plain frozen data."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# A DNS lookup the server injects: query name -> A records (empty or None when not listed).
Resolver = Callable[[str], Sequence[str] | None]


@dataclass(frozen=True)
class SpamContext:
    """What the server knows about a message beyond its bytes."""

    envelope_from: str = ""
    recipients: tuple[str, ...] = ()
    client_ip: str | None = None
    helo: str | None = None
    # Results computed by the SMTP layer (pyspf, dkimpy): "pass", "fail", "softfail",
    # "neutral", "none", "temperror", "permerror"; None when not checked.
    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None
    # Per-user lists: full addresses ("a@b.example") or whole domains ("@b.example").
    allow: tuple[str, ...] = ()
    block: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpamSettings:
    # Score at or above which a message is spam. The Bayes part alone gives
    # bayes_weight * probability, so 9.0 with weight 10 is SpamBayes' 0.90 spam cutoff.
    threshold: float = 9.0
    bayes_weight: float = 10.0
    # Per-user training counts weigh more than the global model so one user's
    # "not spam" takes effect at once.
    user_weight: float = 5.0
    # Bayes says "unsure" (0.5) until both classes have this many trained messages.
    min_trained: int = 5
    max_discriminators: int = 150
    bigrams: bool = False
    many_recipients: int = 20
    dnsbl_zones: tuple[str, ...] = ()
    dns_resolver: Resolver | None = None
    # Per-rule point overrides, e.g. {"MISSING_DATE": 0.0} switches one off.
    rule_scores: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], resolver: Resolver | None = None) -> SpamSettings:
        """Build from the `[spam]` config section; unknown keys are ignored so the section may grow."""
        known = {f for f in cls.__dataclass_fields__ if f != "dns_resolver"}
        kwargs: dict[str, Any] = {k: v for k, v in values.items() if k in known}
        if "dnsbl_zones" in kwargs:
            kwargs["dnsbl_zones"] = tuple(kwargs["dnsbl_zones"])
        if "rule_scores" in kwargs:
            kwargs["rule_scores"] = dict(kwargs["rule_scores"])
        return cls(dns_resolver=resolver, **kwargs)

    def points(self, rule: str, default: float) -> float:
        return float(self.rule_scores.get(rule, default))


@dataclass(frozen=True)
class Hit:
    """One rule that fired: its name (as shown in X-Spam-Status) and its points."""

    name: str
    points: float
    description: str = ""


@dataclass(frozen=True)
class Verdict:
    is_spam: bool
    score: float
    threshold: float
    reasons: tuple[str, ...]
    spamtest: int  # RFC 5235 3.2: 1 (surely ham) .. 10 (surely spam); 0 is "not tested"
    spamtest_percent: int  # RFC 5235 3.3 (spamtestplus :percent): 0..100
    headers: tuple[tuple[str, str], ...]  # X-Spam-Status, X-Spam-Score, X-Spam-Flag (spam only)
