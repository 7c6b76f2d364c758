"""APPEND's UTF8 data item (RFC 6855 4): append-data =/ "UTF8" SP "(" literal8 ")"."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from postvak.protocols.imap import BadCommand, Command, Receiver
from postvak.protocols.imap import requests as rq

MSG = "Subject: Grüße aus Köln\r\nFrom: jörg@exämple.test\r\n\r\nHallo\r\n".encode()


def feed(data: bytes) -> list:
    return Receiver().feed(data)


def test_utf8_literal8_after_flags_and_date() -> None:
    data = (b'a APPEND INBOX (\\Seen) " 5-Mar-2024 09:01:02 +0000" UTF8 (~{%d+}\r\n' % len(MSG)) + MSG + b")\r\n"
    (cmd,) = feed(data)
    assert isinstance(cmd, Command), cmd
    (m,) = cmd.args.messages
    assert m == rq.AppendMessage(("\\Seen",), datetime(2024, 3, 5, 9, 1, 2, tzinfo=timezone(timedelta(0))), MSG,
                                 binary=True, utf8=True)


def test_utf8_without_flags_or_date_and_synchronizing_literal() -> None:
    r = Receiver()
    events = r.feed(b"a APPEND INBOX UTF8 (~{%d}\r\n" % len(MSG))
    assert [type(e).__name__ for e in events] == ["NeedLiteral"]
    (cmd,) = r.feed(MSG + b")\r\n")
    assert cmd.args.messages[0].utf8 and cmd.args.messages[0].data == MSG


def test_plain_literal_inside_utf8_is_tolerated() -> None:
    (cmd,) = feed(b"a APPEND INBOX utf8 ({%d+}\r\n" % len(MSG) + MSG + b")\r\n")
    (m,) = cmd.args.messages
    assert m.utf8 and not m.binary and m.data == MSG


def test_plain_append_is_not_utf8() -> None:
    (cmd,) = feed(b"a APPEND INBOX {2+}\r\nhi\r\n")
    assert cmd.args.messages[0].utf8 is False


def test_multiappend_mixes_utf8_and_plain() -> None:
    data = (b"a APPEND INBOX UTF8 (~{%d+}\r\n" % len(MSG)) + MSG + b") (\\Flagged) {2+}\r\nhi\r\n"
    (cmd,) = feed(data)
    m1, m2 = cmd.args.messages
    assert (m1.utf8, m1.data, m2.utf8, m2.flags, m2.data) == (True, MSG, False, ("\\Flagged",), b"hi")


def test_malformed_utf8_items_are_bad() -> None:
    for data in (
        b"a APPEND INBOX UTF8 ~{2+}\r\nhi\r\n",  # no parentheses
        b"a APPEND INBOX UTF8 (~{2+}\r\nhi\r\n",  # unclosed
        b"a APPEND INBOX UTF8 (\"hi\")\r\n",  # a quoted string is not a literal
        b"a APPEND INBOX UTF8\r\n",
    ):
        (event,) = feed(data)
        assert isinstance(event, BadCommand) and event.tag == "a", (data, event)


@given(st.binary(min_size=1, max_size=300), st.booleans())
def test_any_octets_survive_the_utf8_item(body: bytes, binary: bool) -> None:
    mark = b"~" if binary else b""
    (cmd,) = feed(b"t APPEND Drafts UTF8 (%s{%d+}\r\n" % (mark, len(body)) + body + b")\r\n")
    assert isinstance(cmd, Command), cmd
    (m,) = cmd.args.messages
    assert (m.data, m.utf8, m.binary) == (body, True, binary)
