"""message.parse: how much of a long text part is scanned, and how its cut end decodes."""

from __future__ import annotations

from postvak.filters.spam.message import MAX_PART_CHARS, MAX_TEXT_CHARS, parse


def _plain(body: bytes, charset: str = "utf-8") -> bytes:
    return (b"From: a@example.org\r\nSubject: long\r\nContent-Type: text/plain; charset=" + charset.encode()
            + b"\r\n\r\n" + body)


def _alternative(plain: bytes, html: bytes) -> bytes:
    return (b'From: a@example.org\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n'
            b"--b\r\nContent-Type: text/plain\r\n\r\n" + plain
            + b"\r\n--b\r\nContent-Type: text/html\r\n\r\n" + html + b"\r\n--b--\r\n")


def test_a_text_part_is_scanned_up_to_the_part_cap_only() -> None:
    msg = parse(_plain(b"a" * (MAX_PART_CHARS - 1) + b" tailmarker"))
    assert len(msg.text) == MAX_PART_CHARS
    assert "tailmarker" not in msg.text


def test_a_multibyte_character_split_by_the_cap_is_dropped_not_mojibake() -> None:
    # "é" is two bytes in UTF-8: with an odd-length prefix the cap falls inside one.
    body = b"x" + "é".encode() * MAX_PART_CHARS
    msg = parse(_plain(body))
    assert msg.text == "x" + "é" * ((MAX_PART_CHARS - 1) // 2)


def test_an_uncut_invalid_part_still_falls_back_to_latin_1() -> None:
    assert parse(_plain(b"caf\xe9 ok")).text == "café ok"


def test_text_and_html_alternatives_are_both_scanned_at_full_part_size() -> None:
    assert MAX_TEXT_CHARS >= 2 * MAX_PART_CHARS
    msg = parse(_alternative(b"p" * MAX_PART_CHARS, b"<p>" + b"h" * 100 + b" htmlword</p>"))
    assert "htmlword" in msg.html_text
