"""servers/smtp/resolver.py against a loopback DNS zone: answers are cached for their
TTL, negative answers for a short while, timeouts never; the LRU stays bounded.
Also the cheap paths of checks.py (unsigned mail skips dkimpy)."""

from __future__ import annotations

import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.servers.smtp import checks, resolver
from postvak.servers.smtp.resolver import Dns, TempDnsError, TtlCache
from tests.servers.smtp.dns_responder import DnsResponder

pytestmark = pytest.mark.timeout(30)


@pytest.fixture()
def zone():
    z = DnsResponder({("example.test", "TXT"): ["v=spf1 -all"], ("_dmarc.example.test", "TXT"): ["v=DMARC1; p=none"]})
    yield z
    z.close()


def test_positive_and_negative_answers_are_cached(zone: DnsResponder) -> None:
    dns = Dns(("127.0.0.1",), zone.port, 2.0)
    assert dns.txt("example.test") == [b"v=spf1 -all"]
    assert dns.txt("Example.Test.") == [b"v=spf1 -all"]  # same key: case and root dot
    assert zone.queries == 1
    assert dns.txt("nothing.test") == []  # NXDOMAIN, no SOA: NEGATIVE_TTL
    assert dns.txt("nothing.test") == []
    assert dns.query("example.test", "MX") == []  # the name exists, no MX: no data
    assert dns.query("example.test", "MX") == []
    assert zone.queries == 3
    assert dns.stats() == (3, 3)


def test_expiry(zone: DnsResponder) -> None:
    now = [0.0]
    dns = Dns(("127.0.0.1",), zone.port, 2.0)
    dns.cache = TtlCache(clock=lambda: now[0])
    dns.txt("example.test")
    dns.txt("nothing.test")
    now[0] = resolver.NEGATIVE_TTL + 1  # the negative entry is gone, the 60 s TTL one is not
    dns.txt("example.test")
    dns.txt("nothing.test")
    assert zone.queries == 3
    now[0] = 61
    dns.txt("example.test")
    assert zone.queries == 4


def test_timeouts_are_not_cached() -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))  # never answers
    try:
        dns = Dns(("127.0.0.1",), silent.getsockname()[1], 0.3)
        for _ in range(2):
            with pytest.raises(TempDnsError):
                dns.txt("example.test")
        assert dns.stats() == (0, 2)
    finally:
        silent.close()


def test_cache_is_bounded_lru() -> None:
    cache = TtlCache(size=2)
    cache.put(("a", "TXT"), [1], 60)
    cache.put(("b", "TXT"), [2], 60)
    assert cache.get(("a", "TXT")) == [1]  # a is now the most recent
    cache.put(("c", "TXT"), [3], 60)
    assert cache.get(("b", "TXT")) is None and cache.get(("a", "TXT")) == [1]
    cache.put(("z", "TXT"), [9], 0)  # TTL 0: not cached
    assert cache.get(("z", "TXT")) is None


def test_unsigned_mail_skips_dkim_and_from_domain_reads_headers_only(zone: DnsResponder) -> None:
    dns = Dns(("127.0.0.1",), zone.port, 2.0)
    raw = b"From: a@example.test\r\nSubject: x\r\n\r\nDKIM-Signature: v=1; in the body\r\nFrom: b@other.test\r\n"
    assert checks.check_dkim(raw, dns) == []
    assert checks.from_domain(raw) == "example.test"
    signed = b"DKIM-Signature: v=1; a=rsa-sha256; d=example.test; s=x; b=AAAA; bh=AAAA; h=from\r\n" + raw
    assert checks.check_dkim(signed, dns)[0][0] in ("permerror", "fail")


def test_cached_only_runs_a_check_from_the_cache_or_not_at_all(zone: DnsResponder) -> None:
    """The SMTP handler runs the checks on the loop when every answer is cached: a
    lookup that is not cached neither queries nor yields a verdict (a miss inside pyspf
    would otherwise read as a DNS failure); the same check after a real run is equal."""
    dns = Dns(("127.0.0.1",), zone.port, 2.0)
    checks.install_spf_resolver(dns)
    raw = b"From: a@example.test\r\nSubject: x\r\n\r\nbody\r\n"

    def job() -> checks.AuthVerdict:
        return checks.check_message(raw, ip="192.0.2.1", helo="client.example.test", mail_from="a@example.test",
                                    authserv_id="mx.test", resolver=dns)

    assert dns.cached_only(job) is None
    assert zone.queries == 0
    verdict = job()  # the usual way: queries and caches
    assert verdict.spf == "fail" and verdict.dmarc.result == "fail"
    asked = zone.queries
    assert dns.cached_only(job) == verdict
    assert zone.queries == asked
    assert dns.cached_only(lambda: dns.txt("nothing.test")) is None  # NXDOMAIN not cached yet
    with pytest.raises(ValueError):  # an error of its own (no miss) is raised as ever
        dns.cached_only(lambda: int("x"))
    assert dns.txt("example.test") == [b"v=spf1 -all"]  # the mode ends with the call


def test_spf_result_is_reused_until_an_answer_it_came_from_expires(zone: DnsResponder) -> None:
    now = [0.0]
    dns = Dns(("127.0.0.1",), zone.port, 2.0)
    dns.cache = TtlCache(clock=lambda: now[0])
    checks.install_spf_resolver(dns)
    zone.records[("example.test.", "TXT")] = ['"v=spf1 ip4:192.0.2.1 -all"']
    assert checks.check_spf("192.0.2.1", "a@example.test", "h.example.test", 2.0, dns)[0] == "pass"
    asked, looked = zone.queries, dns.stats()
    assert checks.check_spf("192.0.2.1", "a@example.test", "h.example.test", 2.0, dns)[0] == "pass"
    assert (zone.queries, dns.stats()) == (asked, looked)  # not evaluated again: no lookup at all
    # Another client, sender or HELO is evaluated (from the cached record).
    assert checks.check_spf("192.0.2.9", "a@example.test", "h.example.test", 2.0, dns)[0] == "fail"
    assert checks.check_spf("192.0.2.1", "b@example.test", "h.example.test", 2.0, dns)[0] == "pass"
    assert dns.stats()[0] > looked[0] and zone.queries == asked
    zone.records[("example.test.", "TXT")] = ['"v=spf1 -all"']  # the domain changes its record
    now[0] = 59  # the record's 60 s TTL has not run out: the kept result still holds
    assert checks.check_spf("192.0.2.1", "a@example.test", "h.example.test", 2.0, dns)[0] == "pass"
    now[0] = 61
    assert checks.check_spf("192.0.2.1", "a@example.test", "h.example.test", 2.0, dns)[0] == "fail"
    assert zone.queries == asked + 1


def test_dmarc_record_is_reused_until_its_answer_expires(zone: DnsResponder) -> None:
    now = [0.0]
    dns = Dns(("127.0.0.1",), zone.port, 2.0)
    dns.cache = TtlCache(clock=lambda: now[0])
    checks.install_spf_resolver(dns)
    raw = b"From: a@example.test\r\nSubject: x\r\n\r\nbody\r\n"

    def verdict() -> checks.AuthVerdict:
        return checks.check_message(raw, ip="192.0.2.1", helo="h.example.test", mail_from="a@example.test",
                                    authserv_id="mx.test", resolver=dns)

    first = verdict()
    assert (first.dmarc.result, first.spf) == ("fail", "fail")
    assert first.action == "none" and "dmarc=fail" in first.header_value
    asked, looked = zone.queries, dns.stats()
    assert verdict() == first
    assert (zone.queries, dns.stats()) == (asked, looked)  # SPF and DMARC both kept: no lookup at all
    zone.records[("_dmarc.example.test.", "TXT")] = ['"v=DMARC1; p=reject"']  # the domain tightens its policy
    now[0] = 59  # the record's 60 s TTL has not run out
    assert verdict().action == "none"
    now[0] = 61
    tightened = verdict()
    assert tightened.action == "reject" and "policy.dmarc=reject" in tightened.header_value


def test_derived_value_lives_as_long_as_its_shortest_answer(zone: DnsResponder) -> None:
    now = [0.0]
    dns = Dns(("127.0.0.1",), zone.port, 2.0)
    dns.cache = TtlCache(clock=lambda: now[0])
    computed = []

    def both() -> tuple[list[bytes], list[bytes]]:
        computed.append(now[0])
        return dns.txt("example.test"), dns.txt("nothing.test")  # 60 s TTL, NXDOMAIN for NEGATIVE_TTL

    def outer() -> object:
        return dns.derived("inner", both, keep=lambda _: True)

    assert dns.derived("outer", outer, keep=lambda _: True) == ([b"v=spf1 -all"], [])
    now[0] = resolver.NEGATIVE_TTL - 1
    dns.derived("outer", outer, keep=lambda _: True)
    assert len(computed) == 1
    now[0] = resolver.NEGATIVE_TTL + 1  # the negative answer expired: both are computed again
    dns.derived("outer", outer, keep=lambda _: True)
    assert len(computed) == 2
    dns.derived("refused", both, keep=lambda _: False)
    dns.derived("refused", both, keep=lambda _: False)
    assert len(computed) == 4


def test_spf_temperror_is_not_kept() -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))  # never answers
    try:
        dns = Dns(("127.0.0.1",), silent.getsockname()[1], 0.3)
        checks.install_spf_resolver(dns)
        for attempt in (1, 2):
            assert checks.check_spf("192.0.2.1", "a@example.test", "h.example.test", 0.3, dns)[0] == "temperror"
            assert dns.stats()[1] == attempt  # each check asked DNS again
    finally:
        silent.close()


_FROMS = [b"From: a@example.test", b"From: \"A, B\" <a@Example.TEST>", b"From: a@one.test, b@two.test",
          b"From: Group: a@g.test;", b"From: =?utf-8?q?J=C3=B6rg?= <j@x.test>", b"From: <>", b"From: nobody",
          b"From: a@x.test (comment)", b"From:\r\n\tfolded@fold.test", b"from: lower@case.test", b"From: b@"]
_OTHERS = [b"Subject: hi", b"To: t@example.test", b"Sender: s@sender.test", b"X-From: x@not.test", b"Received: x"]


@given(st.lists(st.sampled_from(_FROMS + _OTHERS), max_size=6), st.sampled_from([b"\r\n", b"\n"]),
       st.binary(max_size=40))
def test_from_domain_is_the_parsed_envelopes(fields: list[bytes], eol: bytes, body: bytes) -> None:
    """from_domain reads only the first From field; it equals what mime.parse_message's
    envelope gives, on any header block."""
    from postvak.protocols import mime
    from postvak.protocols.mime.headers import body_offset

    raw = eol.join(f.replace(b"\r\n", eol) for f in fields) + eol + eol + body
    parsed = mime.parse_message(raw[: body_offset(raw, 0, len(raw))])
    addrs = [a for a in parsed.envelope.from_ if a.host] if parsed.envelope else []
    expected = addrs[0].host.lower() if len(addrs) == 1 and addrs[0].host else None
    assert checks.from_domain(raw) == expected
