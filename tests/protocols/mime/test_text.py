"""search_text for the index and the RFC 8970 preview."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.protocols.mime import html_to_text, parse_message, search_text

RAW = (
    b"From: =?utf-8?q?J=C3=B6rg?= <jorg@example.de>\r\n"
    b"To: Team: ann@example.org;\r\n"
    b"Subject: =?utf-8?q?Quarterly_r=C3=A9port?=\r\n"
    b"Content-Type: multipart/mixed; boundary=m\r\n\r\n"
    b"--m\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n"
    b"--a\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"Gr=FC=DFe   aus\r\n\r\n   K=F6ln\r\n"
    b"--a\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    b"PGh0bWw+PHN0eWxlPi5ub2luZGV4e308L3N0eWxlPjxwPkdyw7zDn2UgJmFtcDsgPGI+S8O2bG48L2I+PC9wPjwvaHRtbD4=\r\n"
    b"--a--\r\n"
    b"--m\r\nContent-Type: text/plain; charset=x-unknown-charset\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\n"
    b"caf\xe9 notes\r\n"
    b"--m\r\nContent-Type: application/octet-stream\r\n\r\nBINARYSTUFF\r\n"
    b"--m\r\nContent-Type: message/rfc822\r\n\r\nSubject: forwarded thing\r\nFrom: x@y.z\r\n\r\ninner words\r\n"
    b"--m--\r\n"
)


def test_search_text_covers_headers_and_every_text_part() -> None:
    p = parse_message(RAW)
    text = search_text(RAW, p)
    for expected in (
        "Quarterly réport",
        "Jörg",
        "jorg@example.de",
        "ann@example.org",
        "Grüße   aus",
        "Köln",
        "Grüße & Köln",
        "café notes",
        "inner words",
        "forwarded thing",
        "x@y.z",
    ):
        assert expected in text, expected
    assert "noindex" not in text and "<b>" not in text and "BINARYSTUFF" not in text


def test_preview_prefers_plain_and_collapses_space() -> None:
    p = parse_message(RAW)
    assert p.preview == "Grüße aus Köln"


def test_preview_from_html_only_and_length() -> None:
    body = b"<html><head><title>T</title></head><body><p>" + b"word " * 300 + b"</p></body></html>"
    p = parse_message(b"Content-Type: text/html\r\n\r\n" + body)
    assert p.preview.startswith("word word") and len(p.preview) <= 200 and "T" not in p.preview
    assert parse_message(b"Content-Type: image/png\r\n\r\nxx").preview == ""


def test_preview_skips_leading_whitespace_runs() -> None:
    p = parse_message(b"\r\n" + b" \r\n" * 3000 + b"finally text")
    assert p.preview == "finally text"


def test_html_to_text() -> None:
    assert html_to_text("<p>a<br>b</p><!-- c --><script>d</script>&lt;e&gt;").split() == ["a", "b", "<e>"]


def test_search_text_has_attachment_names() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''%C3%A9t%C3%A9.pdf\r\n\r\nx\r\n--b--"
    )
    assert "été.pdf" in search_text(raw, parse_message(raw))


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("ab \t\r\n\u00a0é"), max_size=3000))
def test_preview_matches_naive_collapse(text: str) -> None:
    raw = b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + text.encode()
    assert parse_message(raw).preview == " ".join(text.split())[:200].rstrip()


def test_preview_of_a_long_body_cut_inside_a_character() -> None:
    for pad in range(4):
        raw = b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + b"x" * pad + "é".encode() * 3000
        assert parse_message(raw).preview == "x" * pad + "é" * (200 - pad)
