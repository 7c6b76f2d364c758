"""Base64 runs kept out of the stdlib parser: same ParsedMessage, and attachments never go through it."""

from __future__ import annotations

import base64
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.filters.spam.elide import elide
from postvak.filters.spam.message import _parse, parse
from postvak.filters.spam.tokenizer import features, tokenize

TEXT = "Shall we meet at noon near the station? Bring the project notes, cheap pills www.example.com/x"


def b64_lines(data: bytes, eol: str = "\r\n") -> str:
    return base64.encodebytes(data).decode().replace("\n", eol)


def with_attachment(attachment_body: str, *, text_cte: str = "7bit", text: str = TEXT) -> bytes:
    text_body = b64_lines(text.encode() * 40) if text_cte == "base64" else text
    return (
        "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\npreamble\r\n'
        f"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: {text_cte}\r\n\r\n{text_body}\r\n"
        '--b1\r\nContent-Type: application/pdf; name="r.pdf"\r\nContent-Disposition: attachment; filename="r.pdf"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{attachment_body}\r\n--b1--\r\n"
    ).encode()


def feats(raw: bytes) -> frozenset[int]:
    return features(tokenize(parse(raw)))


def test_a_100_kb_attachment_never_reaches_the_parser() -> None:
    raw = with_attachment(b64_lines(random.Random(1).randbytes(75_000)))
    assert len(raw) > 100_000
    reduced = elide(raw)
    assert len(reduced.raw) < 2_000  # one placeholder line stands for the whole attachment
    assert parse(raw) == _parse(raw, elided=False)


def test_a_broken_attachment_gives_the_same_tokens_as_a_good_one() -> None:
    good = b64_lines(random.Random(2).randbytes(75_000))
    # Invalid padding in the middle and a truncated last quantum: decoding would differ
    # (or fail); the attachment is not decoded, so nothing changes.
    lines = good.split("\r\n")
    lines[10] = "====" + lines[10][4:]
    lines[-2] = lines[-2][:-3]
    broken = "\r\n".join(lines)
    assert feats(with_attachment(good)) == feats(with_attachment(broken))
    assert "filename:pdf" in tokenize(parse(with_attachment(broken)))


def test_base64_text_parts_are_put_back_and_decoded() -> None:
    raw = with_attachment(b64_lines(b"x" * 20_000), text_cte="base64")
    assert elide(raw).marker  # the text part's base64 was taken out too
    msg = parse(raw)
    assert msg == _parse(raw, elided=False)
    assert "station" in msg.text
    assert "station" in tokenize(msg)
    assert "url:example.com" in tokenize(msg)


def test_8bit_text_around_a_placeholder_falls_back_to_the_full_parse() -> None:
    raw = with_attachment(b64_lines(b"y" * 5_000), text="caf\xe9 " + b64_lines(b"z" * 3_000, "\r\n"))
    raw = raw.replace("caf\xe9".encode(), b"caf\xe9")  # a latin-1 byte, not UTF-8
    assert parse(raw) == _parse(raw, elided=False)


def test_delivery_status_reports_are_parsed_whole() -> None:
    raw = with_attachment(b64_lines(b"q" * 5_000)).replace(b"application/pdf", b"message/delivery-status")
    assert elide(raw).raw == raw


def test_short_messages_are_left_alone() -> None:
    raw = with_attachment(b64_lines(b"abc" * 100))
    assert elide(raw).raw == raw


_PART_KINDS = st.sampled_from(["text/plain", "text/html", "application/octet-stream", "image/png"])
_CTES = st.sampled_from(["base64", "7bit", "8bit", "quoted-printable", ""])


@st.composite
def messages(draw: st.DrawFn) -> bytes:
    eol = draw(st.sampled_from(["\r\n", "\n"]))
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        ctype, cte = draw(_PART_KINDS), draw(_CTES)
        # Sizes on both sides of the 16-line threshold; content does not matter, only its shape.
        payload = random.Random(draw(st.integers(0, 2**32))).randbytes(draw(st.integers(0, 3_000)))
        if draw(st.booleans()):
            body = b64_lines(payload, eol)
        else:  # base64-looking lines mixed with other text, 8-bit bytes and lone CRs
            body = draw(st.sampled_from(["", "plain words here" + eol, "caf\udce9 " + eol, "x\r--b1" + eol]))
            body += b64_lines(payload, eol) + draw(st.sampled_from(["", "tail", "--not-a-boundary", "Header: v"]))
        headers = f"Content-Type: {ctype}; charset=utf-8{eol}"
        if cte:
            headers += f"Content-Transfer-Encoding: {cte}{eol}"
        parts.append(f"--b1{eol}{headers}{eol}{body}{eol}")
    text = (f"From: a@example.org{eol}Subject: s{eol}MIME-Version: 1.0{eol}"
            f'Content-Type: multipart/mixed; boundary="b1"{eol}{eol}' + "".join(parts) + f"--b1--{eol}")
    return text.encode("utf-8", "surrogateescape")


@settings(max_examples=150, deadline=None)
@given(messages())
def test_parse_with_and_without_elision_agree(raw: bytes) -> None:
    assert parse(raw) == _parse(raw, elided=False)
