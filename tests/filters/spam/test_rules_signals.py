"""The 0-point rules whose hits feed the learned models as rule: tokens."""

from __future__ import annotations

from postvak.filters.spam import SpamContext, SpamSettings
from postvak.filters.spam.message import parse
from postvak.filters.spam.rules import (
    domains,
    encoding,
    freemail,
    html_style,
    link_domains,
    mailer_headers,
    message_id,
    money,
    obfuscation,
    phrases,
    run_rules,
    sender_shape,
    subject_style,
    to_header,
    url_obfuscation,
)
from tests.filters.spam.samples import message

CTX = SpamContext()
SET = SpamSettings()


def names(hits) -> set[str]:
    return {h.name for h in hits or []}


def html(body: str, **kw) -> bytes:
    return message(body=f"<html><body>{body}</body></html>", content_type="text/html", **kw)


def test_registrable_domain_and_freemail() -> None:
    assert domains.registrable("www.shop.example.co.uk") == "example.co.uk"
    assert domains.registrable("mail.example.com") == "example.com"
    assert domains.is_freemail("yahoo.com") and domains.is_freemail("mail.yahoo.com")
    assert not domains.is_freemail("example.org")


def test_freemail_sender_and_reply_to() -> None:
    raw = message(sender="Bob <bob123@hotmail.com>", extra="Reply-To: deals@yahoo.com")
    assert names(freemail.check(parse(raw), CTX, SET)) == {"FREEMAIL_FROM", "FREEMAIL_REPLYTO", "REPLYTO_DIFFERS"}
    assert freemail.check(parse(message(extra="Reply-To: list@lists.example.org")), CTX, SET) == []


def test_links_to_the_senders_site_or_elsewhere() -> None:
    own = html('<a href="http://www.example.org/shop">shop</a>')
    assert names(link_domains.check(parse(own), CTX, SET)) == {"URL_SENDER_SITE"}
    hosts = "".join(f'<a href="http://site{i}.example/x">x</a>' for i in range(4))
    assert names(link_domains.check(parse(html(hosts)), CTX, SET)) == {"URL_NOT_SENDER", "URL_MANY_DOMAINS"}
    assert link_domains.check(parse(message()), CTX, SET) == []


def test_message_id_shapes() -> None:
    assert names(message_id.check(parse(message()), CTX, SET)) == {"MID_SENDER_DOMAIN"}
    raw = message(extra="X-Mailer: Microsoft Outlook Express 6.00", message_id=False).replace(
        b"MIME-Version", b"Message-ID: 12345\r\nMIME-Version")
    assert names(message_id.check(parse(raw), CTX, SET)) == {"MID_MALFORMED", "MID_FORGED_OUTLOOK"}


def test_to_header() -> None:
    assert names(to_header.check(parse(message(to="undisclosed-recipients:;")), CTX, SET)) == {"TO_UNDISCLOSED"}
    assert names(to_header.check(parse(message(to="alice@example.org")), CTX, SET)) == {"TO_EQ_FROM"}
    assert to_header.check(parse(message()), CTX, SET) == []


def test_subject_style() -> None:
    hits = subject_style.check(parse(message(subject="ADV: Save $500 now!!! ___ x7f3k")), CTX, SET)
    assert names(hits) == {"SUBJ_EXCLAIM", "SUBJ_ADV", "SUBJ_DOLLAR", "SUBJ_TRAILING_ID", "SUBJ_SALES"}
    assert subject_style.check(parse(message()), CTX, SET) == []


def test_sales_phrases() -> None:
    body = ("Dear friend, this is not spam. Click here for a risk-free, no obligation mortgage quote! "
            "To be removed reply with REMOVE in the subject. Call 1-800-555-1234.")
    hits = names(phrases.check(parse(message(body=body)), CTX, SET))
    assert {"CLICK_HERE", "REMOVE_BY_REPLY", "NOT_SPAM_CLAIM", "TOLL_FREE", "SALES_PHRASES_4"} <= hits
    assert phrases.check(parse(message()), CTX, SET) == []


def test_money_and_percentages() -> None:
    hits = money.check(parse(message(body="Earn $50,000 a month, 90% profit, 75 % off, 20% more")), CTX, SET)
    assert names(hits) == {"MONEY_BIG", "PERCENT_MANY"}
    assert names(money.check(parse(message(body="Up 15% this quarter")), CTX, SET)) == {"PERCENT_CLAIM"}
    assert money.check(parse(message()), CTX, SET) == []


def test_html_tricks() -> None:
    body = ('<font size=1 color="#ffffff">hidden</font><img src="http://a.example/1.gif">'
            '<img src="http://a.example/2.gif"><img src="http://a.example/3.gif"><form action="x"></form>'
            "v<!-- x -->iagra" + "&#65;" * 21)
    hits = names(html_style.check(parse(html(body)), CTX, SET))
    assert {"HTML_TINY_FONT", "HTML_WHITE_FONT", "HTML_IMAGES_LITTLE_TEXT", "HTML_FORM",
            "HTML_ENTITY_OBFUS", "HTML_COMMENT_IN_WORD"} <= hits
    assert html_style.check(parse(html("plain words " * 60)), CTX, SET) == []


def test_encodings() -> None:
    import base64

    raw = message(body=base64.b64encode(b"buy now").decode(), extra="Content-Transfer-Encoding: base64",
                  content_type="text/plain; charset=gb2312")
    assert names(encoding.check(parse(raw), CTX, SET)) == {"TEXT_BASE64", "CHARSET_FARAWAY"}
    mislabelled = message(body="caf\u00e9", content_type="text/plain; charset=us-ascii")
    assert "CHARSET_MISMATCH" in names(encoding.check(parse(mislabelled), CTX, SET))
    assert encoding.check(parse(message()), CTX, SET) == []


def test_obfuscated_words() -> None:
    assert names(obfuscation.check(parse(message(body="Cheap v1agra and m0rtgage")), CTX, SET)) == {"OBFUSCATED_WORDS"}
    assert names(obfuscation.check(parse(message(body="Buy vi\u0430gra today")), CTX, SET)) == {"MIXED_SCRIPT_WORDS"}
    assert obfuscation.check(parse(message()), CTX, SET) == []


def test_mailer_headers() -> None:
    raw = message(extra="X-Priority: 1 (Highest)\nX-MSMail-Priority: High")
    assert names(mailer_headers.check(parse(raw), CTX, SET)) == {"NO_MAILER", "PRIORITY_HIGH", "MSMAIL_PRI_NO_OE"}
    assert mailer_headers.check(parse(message(extra="User-Agent: Mutt/2.2")), CTX, SET) == []


def test_sender_shape_and_list_headers() -> None:
    raw = message(sender="x8812345@example.org", extra="List-Id: <news.example.org>\nPrecedence: bulk")
    assert names(sender_shape.check(parse(raw), CTX, SET)) == {
        "FROM_LOCAL_DIGITS", "FROM_NO_NAME", "LIST_HEADERS", "PRECEDENCE_BULK"}
    assert sender_shape.check(parse(message()), CTX, SET) == []


def test_url_obfuscation() -> None:
    raw = html('<a href="http://www.bank.example@evil.example/">x</a><a href="http://%65vil.example/">y</a>')
    assert names(url_obfuscation.check(parse(raw), CTX, SET)) == {"URL_USER_AT_HOST", "URL_ENCODED_HOST"}
    assert url_obfuscation.check(parse(html('<a href="http://www.example.org/a?u=me@x">x</a>')), CTX, SET) == []


def test_signal_rules_add_no_points_by_default_but_can_be_scored() -> None:
    raw = message(subject="Save $500 now!!!", sender="Bob <bob123@hotmail.com>")
    hits = run_rules(parse(raw), CTX, SET)
    assert {"FREEMAIL_FROM", "SUBJ_DOLLAR"} <= names(hits)
    assert all(h.points == 0 for h in hits if h.name in ("FREEMAIL_FROM", "SUBJ_DOLLAR"))
    scored = run_rules(parse(raw), CTX, SpamSettings(rule_scores={"FREEMAIL_FROM": 1.5}))
    assert [h.points for h in scored if h.name == "FREEMAIL_FROM"] == [1.5]
