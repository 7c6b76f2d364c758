from __future__ import annotations

import base64
import quopri

from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.filters.spam.message import html_to_text, parse
from postvak.filters.spam.tokenizer import feature, features, tokenize, url_tokens, words
from tests.filters.spam.samples import message


def toks(raw: bytes) -> set[str]:
    return set(tokenize(parse(raw)))


def test_body_words_lowercased_and_trimmed() -> None:
    assert list(words("Hello, WORLD! a an verylongwordindeed1234")) == ["hello", "world", "skip:v 20"]


def test_headers_are_prefixed_by_field() -> None:
    t = toks(message(subject="Quarterly Review!!!"))
    assert {"subject:Quarterly", "subject:Review", "subject:punct:!!!"} <= t
    assert "from:addr:example.org" in t
    assert "from:name:alice" in t
    assert "to:addr:example.net" in t
    assert "message-id:@example.org" in t
    assert "header:subject:2**0" in t


def test_base64_body_is_decoded() -> None:
    body = base64.b64encode("Bonjour la réunion est demain".encode()).decode()
    raw = message(body=body, extra="Content-Transfer-Encoding: base64")
    t = toks(raw)
    assert {"bonjour", "réunion", "demain"} <= t


def test_quoted_printable_and_charset() -> None:
    body = quopri.encodestring("Grüße aus München".encode("latin-1")).decode()
    raw = message(body=body, content_type="text/plain; charset=iso-8859-1",
                  extra="Content-Transfer-Encoding: quoted-printable")
    t = toks(raw)
    assert {"grüße", "münchen", "charset:iso-8859-1"} <= t


def test_encoded_word_subject() -> None:
    t = toks(message(subject="=?utf-8?b?" + base64.b64encode("Café offer".encode()).decode() + "?="))
    assert "subject:Café" in t


def test_html_is_stripped_and_links_kept() -> None:
    html = '<html><body><p>Great <b>deals</b></p><a href="http://shop.example.com/buy?id=1">Buy now</a>' \
           "<script>var hidden=1;</script></body></html>"
    raw = message(body=html, content_type="text/html")
    msg = parse(raw)
    assert msg.has_html and not msg.has_plain
    assert "hidden" not in msg.html_text
    t = set(tokenize(msg))
    assert {"great", "deals", "url:shop.example.com", "url:example.com", "url:buy", "anchor:buy"} <= t
    assert "content-type:text/html" in t


def test_html_sent_as_text_plain_is_treated_as_html() -> None:
    raw = message(body="<html><body><font color=red>FREE</font><br>now<br></body></html>")
    msg = parse(raw)
    assert msg.has_html and "font" not in msg.all_text.lower()


def test_url_tokens() -> None:
    t = set(url_tokens("http://192.168.1.2/login.php"))
    assert {"proto:http", "url:ip-host", "url:login", "url:php"} <= t


def test_sender_domain_from_context() -> None:
    from postvak.filters.spam import SpamContext

    t = set(tokenize(parse(message()), SpamContext(envelope_from="<bounce@mailer.example>")))
    assert "envfrom:mailer.example" in t


def test_bigrams_optional() -> None:
    msg = parse(message(body="cheap pills today"))
    assert "bi:cheap pills" in tokenize(msg, bigrams=True)
    assert "bi:cheap pills" not in tokenize(msg)


def test_x_spam_headers_are_not_learned() -> None:
    t = toks(message(extra="X-Spam-Status: No, score=-100"))
    assert not any(tok.startswith("header:x-spam") for tok in t)


def test_features_are_stable_64_bit_hashes() -> None:
    assert feature("hello") == feature("hello")
    assert 0 <= feature("hello") < 2**64
    assert feature("hello") != feature("hellp")
    assert features(["a", "a", "b"]) == frozenset({feature("a"), feature("b")})


def test_html_to_text_survives_broken_markup() -> None:
    text, links, _ = html_to_text('<a href="x">unclosed <b>tag <p')
    assert "unclosed" not in text or links == ()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_tokenize_without_error(raw: bytes) -> None:
    tokenize(parse(raw))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_header_text_parses(text: str) -> None:
    raw = ("Subject: " + text.replace("\r", " ").replace("\n", " ") + "\r\nFrom: " + text[:50] + "\r\n\r\n" + text).encode(
        "utf-8", "surrogatepass"
    )
    tokenize(parse(raw))
