"""DMARC (RFC 7489), small and our own: record discovery, identifier alignment and
the policy to apply. SPF and DKIM results come from checks.py.

Limitation: the organizational domain (RFC 7489 3.2) is taken as the last two
labels, or three when the second-level label is a common registry suffix
("co.uk"); no full Public Suffix List.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Second-level labels under which registrations happen one level deeper (co.uk, com.au ...).
_REGISTRY_SECOND = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "ne", "or", "go"})


@dataclass(frozen=True)
class DmarcRecord:
    policy: str  # p=: none / quarantine / reject
    subdomain_policy: str  # sp=, defaults to p
    adkim: str = "r"  # r relaxed / s strict (RFC 7489 6.3)
    aspf: str = "r"
    pct: int = 100


@dataclass(frozen=True)
class DmarcResult:
    result: str  # pass / fail / none / temperror / permerror
    domain: str  # the RFC5322.From domain
    policy: str = "none"  # what to do: none / quarantine / reject
    reason: str = ""


def organizational_domain(domain: str) -> str:
    labels = domain.lower().rstrip(".").split(".")
    if len(labels) >= 3 and labels[-2] in _REGISTRY_SECOND and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def parse_record(text: str) -> DmarcRecord | None:
    """RFC 7489 6.3/6.4: "v=DMARC1; p=...". None when not a valid DMARC record."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        key, eq, value = part.strip().partition("=")
        if eq:
            tags.setdefault(key.strip().lower(), value.strip())
    if tags.get("v") != "DMARC1":
        return None
    policy = tags.get("p", "").lower()
    if policy not in ("none", "quarantine", "reject"):
        # RFC 7489 6.6.3: a missing/invalid p= with a valid rua would mean "none"; keep it simple.
        return None
    sp = tags.get("sp", policy).lower()
    if sp not in ("none", "quarantine", "reject"):
        sp = policy
    try:
        pct = max(0, min(100, int(tags.get("pct", "100"))))
    except ValueError:
        pct = 100
    adkim = "s" if tags.get("adkim", "r").lower() == "s" else "r"
    aspf = "s" if tags.get("aspf", "r").lower() == "s" else "r"
    return DmarcRecord(policy, sp, adkim, aspf, pct)


def aligned(identifier: str, from_domain: str, mode: str) -> bool:
    """RFC 7489 3.1.1/3.1.2: strict = same FQDN, relaxed = same organizational domain."""
    a, b = identifier.lower().rstrip("."), from_domain.lower().rstrip(".")
    if not a:
        return False
    if mode == "s":
        return a == b
    return organizational_domain(a) == organizational_domain(b)


def discover(from_domain: str, txt: Callable[[str], list[bytes]]) -> tuple[DmarcRecord | None, bool]:
    """RFC 7489 6.6.3: _dmarc.<From domain>, else _dmarc.<organizational domain>.
    Returns (record, found_at_org_level). `txt` may raise for a DNS temp failure."""
    def lookup(domain: str) -> DmarcRecord | None:
        records = [r.decode("utf-8", "replace") for r in txt(f"_dmarc.{domain}")]
        parsed = [p for p in (parse_record(r) for r in records if r.startswith("v=DMARC1")) if p]
        return parsed[0] if len(parsed) == 1 else None  # several records: none applies

    record = lookup(from_domain)
    if record is not None:
        return record, False
    org = organizational_domain(from_domain)
    if org != from_domain.lower():
        return lookup(org), True
    return None, False


def evaluate(
    from_domain: str,
    record: DmarcRecord | None,
    at_org: bool,
    *,
    spf_result: str,
    spf_domain: str,
    dkim_pass_domains: Sequence[str],
    rng: Callable[[], float] = random.random,
) -> DmarcResult:
    """RFC 7489 4.2: pass when SPF or DKIM passes with an aligned identifier."""
    if record is None:
        return DmarcResult("none", from_domain)
    if spf_result == "pass" and aligned(spf_domain, from_domain, record.aspf):
        return DmarcResult("pass", from_domain, reason="spf aligned")
    for d in dkim_pass_domains:
        if aligned(d, from_domain, record.adkim):
            return DmarcResult("pass", from_domain, reason="dkim aligned")
    policy = record.subdomain_policy if at_org else record.policy
    # RFC 7489 6.6.4: outside the pct sample, apply the next less strict policy.
    if record.pct < 100 and rng() * 100 >= record.pct:
        policy = {"reject": "quarantine", "quarantine": "none"}.get(policy, "none")
    return DmarcResult("fail", from_domain, policy, "no aligned pass")
