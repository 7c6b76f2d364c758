"""DMARC evaluation (RFC 7489): record parsing, alignment, discovery, policy and pct."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from postvak.servers.smtp.dmarc import (
    DmarcRecord,
    aligned,
    discover,
    evaluate,
    organizational_domain,
    parse_record,
)


def test_parse_record() -> None:
    rec = parse_record("v=DMARC1; p=quarantine; sp=reject; adkim=s; pct=50; rua=mailto:x@y")
    assert rec == DmarcRecord("quarantine", "reject", "s", "r", 50)
    assert parse_record("v=DMARC1; p=none") == DmarcRecord("none", "none")
    assert parse_record("v=spf1 -all") is None
    assert parse_record("v=DMARC1; p=bogus") is None


@given(st.text(max_size=200))
def test_parse_record_never_raises(text: str) -> None:
    result = parse_record(text)
    assert result is None or result.policy in ("none", "quarantine", "reject")


def test_organizational_domain_and_alignment() -> None:
    assert organizational_domain("a.b.example.com") == "example.com"
    assert organizational_domain("mail.example.co.uk") == "example.co.uk"
    assert aligned("mail.example.com", "example.com", "r")
    assert not aligned("mail.example.com", "example.com", "s")
    assert not aligned("example.net", "example.com", "r")
    assert not aligned("", "example.com", "r")


def test_discover_falls_back_to_organizational_domain() -> None:
    zone = {"_dmarc.example.com": [b"v=DMARC1; p=reject; sp=quarantine"]}
    record, at_org = discover("news.example.com", lambda name: zone.get(name, []))
    assert record is not None and at_org and record.subdomain_policy == "quarantine"
    record, at_org = discover("example.com", lambda name: zone.get(name, []))
    assert record is not None and not at_org


def test_two_records_mean_none() -> None:
    zone = {"_dmarc.example.com": [b"v=DMARC1; p=reject", b"v=DMARC1; p=none"]}
    assert discover("example.com", lambda name: zone.get(name, [])) == (None, False)


def test_evaluate() -> None:
    rec = DmarcRecord("reject", "quarantine")
    kw = dict(spf_result="fail", spf_domain="other.test", dkim_pass_domains=[])
    assert evaluate("example.com", None, False, **kw).result == "none"
    failed = evaluate("example.com", rec, False, **kw)
    assert (failed.result, failed.policy) == ("fail", "reject")
    assert evaluate("news.example.com", rec, True, **kw).policy == "quarantine"
    assert evaluate("example.com", rec, False, spf_result="pass", spf_domain="bounce.example.com",
                    dkim_pass_domains=[]).result == "pass"
    assert evaluate("example.com", rec, False, spf_result="fail", spf_domain="x.test",
                    dkim_pass_domains=["example.com"]).result == "pass"


def test_pct_sampling_softens_policy() -> None:
    rec = DmarcRecord("reject", "reject", pct=10)
    kw = dict(spf_result="fail", spf_domain="x.test", dkim_pass_domains=[])
    assert evaluate("example.com", rec, False, rng=lambda: 0.05, **kw).policy == "reject"
    assert evaluate("example.com", rec, False, rng=lambda: 0.5, **kw).policy == "quarantine"
