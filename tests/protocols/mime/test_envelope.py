"""ENVELOPE construction (RFC 3501 7.4.2) and message id extraction."""

from __future__ import annotations

import pytest

from postvak.protocols.mime import Address, build_envelope, msg_ids, parse_fields, parse_message


def env(raw: bytes):  # type: ignore[no-untyped-def]
    return build_envelope(parse_fields(raw))


def test_sender_and_reply_to_default_to_from() -> None:
    e = env(b"From: a@x.test\r\nSender:  \r\nReply-To: r@x.test\r\n")
    assert e.sender == e.from_ == (Address(None, None, "a", "x.test"),)
    assert e.reply_to == (Address(None, None, "r", "x.test"),)


def test_first_occurrence_wins_and_empty_values() -> None:
    e = env(b"Subject:\r\nSubject: second\r\nFrom: a@x\r\nFrom: b@y\r\nDate: \r\nMessage-ID: \r\n")
    assert e.subject == "" and e.from_[0].mailbox == "a"
    assert e.date is None and e.message_id is None


def test_raw_strings_are_kept() -> None:
    e = env(b"In-Reply-To: <a@b> (comment)\r\nMessage-ID:  <x@y>  \r\nSubject: =?utf-8?q?x?=\r\n")
    assert e.in_reply_to == "<a@b> (comment)" and e.message_id == "<x@y>" and e.subject == "=?utf-8?q?x?="


@pytest.mark.parametrize(
    "value,ids",
    [
        ("<a@b>", ("a@b",)),
        ("<a@b> <c@d>\t<e@f>", ("a@b", "c@d", "e@f")),
        ("<a@b>,<c@d>", ("a@b", "c@d")),
        ("<a@\r\n b>", ("a@b",)),
        ("bare@id", ("bare@id",)),
        ("two words", ()),
        ("<>", ()),
        ("", ()),
        (None, ()),
        ("Your message of ... <a@b>", ("a@b",)),
    ],
)
def test_msg_ids(value: str | None, ids: tuple[str, ...]) -> None:
    assert msg_ids(value) == ids


def test_parsed_ids() -> None:
    p = parse_message(b"Message-ID: <m@x>\r\nIn-Reply-To: <p@x>\r\nReferences: <r@x>\r\n <p@x>\r\n\r\n")
    assert (p.message_id, p.in_reply_to, p.references) == ("m@x", ("p@x",), ("r@x", "p@x"))
