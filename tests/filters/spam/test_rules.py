from __future__ import annotations

from postvak.filters.spam import SpamContext, SpamSettings
from postvak.filters.spam.message import parse
from postvak.filters.spam.rules import (
    auth,
    bulk,
    caps_subject,
    date_skew,
    dnsbl,
    forged_from,
    gtube,
    html_only,
    missing_headers,
    recipients,
    run_rules,
    urls,
)
from tests.filters.spam.samples import message

CTX = SpamContext()
SET = SpamSettings()


def names(hits) -> set[str]:
    return {h.name for h in hits or []}


def test_gtube() -> None:
    raw = message(body="test " + gtube.GTUBE.decode() + " end")
    hits = gtube.check(parse(raw), CTX, SET)
    assert names(hits) == {"GTUBE"} and hits[0].points >= 1000
    assert gtube.check(parse(message()), CTX, SET) == []


def test_gtube_in_base64_body() -> None:
    import base64

    raw = message(body=base64.b64encode(gtube.GTUBE).decode(), extra="Content-Transfer-Encoding: base64")
    assert names(gtube.check(parse(raw), CTX, SET)) == {"GTUBE"}


def test_auth_results() -> None:
    msg = parse(message())
    hits = auth.check(msg, SpamContext(spf="fail", dkim="fail", dmarc="fail"), SET)
    assert names(hits) == {"SPF_FAIL", "DKIM_FAIL", "DMARC_FAIL"}
    assert names(auth.check(msg, SpamContext(spf="softfail"), SET)) == {"SPF_SOFTFAIL"}
    assert names(auth.check(msg, SpamContext(spf="pass", dmarc="pass"), SET)) == set()
    assert auth.check(msg, SpamContext(dkim="pass"), SET)[0].points < 0


def test_missing_date_and_message_id() -> None:
    assert names(missing_headers.check(parse(message(date=False, message_id=False)), CTX, SET)) == {
        "MISSING_DATE", "MISSING_MID"}
    assert missing_headers.check(parse(message()), CTX, SET) == []


def test_forged_display_name() -> None:
    forged = message(sender='"service@paypal.com" <x@evil.example>')
    assert names(forged_from.check(parse(forged), CTX, SET)) == {"FROM_NAME_FORGED"}
    same = message(sender='"alice@example.org" <alice@mail.example.org>')
    assert forged_from.check(parse(same), CTX, SET) == []
    assert forged_from.check(parse(message()), CTX, SET) == []


def test_all_caps_subject() -> None:
    assert names(caps_subject.check(parse(message(subject="FREE MONEY FOR YOU")), CTX, SET)) == {"SUBJ_ALL_CAPS"}
    assert caps_subject.check(parse(message(subject="FYI: DB")), CTX, SET) == []
    assert caps_subject.check(parse(message(subject="Free money")), CTX, SET) == []


def test_html_only_little_text() -> None:
    raw = message(body="<html><body><img src='http://x.example/a.gif'>Buy</body></html>", content_type="text/html")
    assert names(html_only.check(parse(raw), CTX, SET)) == {"HTML_ONLY", "HTML_LITTLE_TEXT"}
    long_html = "<html><body>" + "word " * 50 + "</body></html>"
    assert names(html_only.check(parse(message(body=long_html, content_type="text/html")), CTX, SET)) == {"HTML_ONLY"}
    assert html_only.check(parse(message()), CTX, SET) == []


def test_suspicious_urls() -> None:
    raw = message(body='<html><a href="http://10.1.2.3/login">http://www.mybank.example/login</a></html>',
                  content_type="text/html")
    assert names(urls.check(parse(raw), CTX, SET)) == {"URL_IP_HOST", "URL_TEXT_MISMATCH"}
    fine = message(body='<html><a href="https://www.mybank.example/x">www.mybank.example</a></html>',
                   content_type="text/html")
    assert urls.check(parse(fine), CTX, SET) == []
    assert urls.host_of("http://bank.example@evil.example/") == "evil.example"
    assert urls.is_ip("3232235777") and urls.is_ip("::1") and not urls.is_ip("example.com")


def test_many_recipients() -> None:
    to = ", ".join(f"u{i}@example.net" for i in range(25))
    assert names(recipients.check(parse(message(to=to)), CTX, SET)) == {"MANY_RCPTS"}
    ctx = SpamContext(recipients=tuple(f"u{i}@example.net" for i in range(30)))
    assert names(recipients.check(parse(message()), ctx, SET)) == {"MANY_RCPTS"}
    assert recipients.check(parse(message()), CTX, SET) == []


def test_bulk_headers() -> None:
    assert names(bulk.check(parse(message(extra="X-Mailer: Group Mail 4.0")), CTX, SET)) == {"BULK_MAILER"}
    assert names(bulk.check(parse(message(extra="X-Advertisement: yes")), CTX, SET)) == {"BULK_HEADER"}
    assert bulk.check(parse(message(extra="X-Mailer: Mutt 2.2")), CTX, SET) == []


def test_date_skew() -> None:
    old = message(extra="Received: from a by b; Tue, 09 Jan 2024 10:00:00 +0000")
    assert names(date_skew.check(parse(old), CTX, SET)) == {"DATE_IN_PAST"}
    future = message(extra="Received: from a by b; Sun, 31 Dec 2023 10:00:00 +0000")
    assert names(date_skew.check(parse(future), CTX, SET)) == {"DATE_IN_FUTURE"}
    ok = message(extra="Received: from a by b; Tue, 02 Jan 2024 10:05:00 +0000")
    assert date_skew.check(parse(ok), CTX, SET) == []


def test_dnsbl_query_names() -> None:
    assert dnsbl.query_name("93.184.216.34", "bl.example.") == "34.216.184.93.bl.example"
    assert dnsbl.query_name("10.0.0.1", "bl.example") is None
    six = dnsbl.query_name("2a00:1450::1", "bl.example")
    assert six is not None and six.startswith("1.0.0.0.") and six.endswith(".0.5.4.1.0.0.a.2.bl.example")


def test_dnsbl_with_resolver() -> None:
    asked = []

    def resolver(name: str):
        asked.append(name)
        return ["127.0.0.2"] if name.endswith("bad.example") else None

    settings = SpamSettings(dnsbl_zones=("bad.example", "good.example"), dns_resolver=resolver)
    hits = dnsbl.check(parse(message()), SpamContext(client_ip="93.184.216.34"), settings)
    assert names(hits) == {"RCVD_IN_DNSBL"} and "bad.example" in hits[0].description
    assert len(asked) == 2


def test_dnsbl_not_run_without_resolver_and_tolerates_errors() -> None:
    ctx = SpamContext(client_ip="93.184.216.34")
    assert dnsbl.check(parse(message()), ctx, SpamSettings(dnsbl_zones=("bl.example",))) is None

    def broken(name: str):
        raise OSError("timeout")

    settings = SpamSettings(dnsbl_zones=("bl.example",), dns_resolver=broken)
    assert dnsbl.check(parse(message()), ctx, settings) == []
    assert not dnsbl.listed(["127.255.255.254"]) and dnsbl.listed(["127.0.0.4"])


def test_rule_scores_can_be_overridden() -> None:
    settings = SpamSettings(rule_scores={"SUBJ_ALL_CAPS": 4.0})
    hits = run_rules(parse(message(subject="FREE MONEY FOR YOU")), CTX, settings)
    assert [h.points for h in hits if h.name == "SUBJ_ALL_CAPS"] == [4.0]
