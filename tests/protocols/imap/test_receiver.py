"""Framing: literals of every kind at every split point, limits with resync, modes."""

from __future__ import annotations

import pytest

from postvak.protocols.imap import (
    DEFAULT_LIMITS,
    PREAUTH_LIMITS,
    BadCommand,
    Command,
    ContinuationLine,
    Done,
    Limits,
    LineTooLong,
    LiteralTooBig,
    NeedLiteral,
    Receiver,
)
from postvak.protocols.imap import requests as rq


def feed_split(data: bytes, cut: int, limits: Limits = DEFAULT_LIMITS) -> list:
    r = Receiver(limits)
    return r.feed(data[:cut]) + r.feed(data[cut:])


def feed_bytewise(data: bytes, limits: Limits = DEFAULT_LIMITS) -> list:
    r = Receiver(limits)
    events = []
    for i in range(len(data)):
        events += r.feed(data[i : i + 1])
    return events


LITERAL_CASES = [
    (b"a1 LOGIN {4}\r\nfred {6}\r\nse\r\nt!\r\n", [NeedLiteral("a1", 4), NeedLiteral("a1", 6)]),
    (b"a1 LOGIN {4+}\r\nfred {6+}\r\nse\r\nt!\r\n", []),
    (b"a1 LOGIN fred \"se\\\"t\"\r\n", []),
]


@pytest.mark.parametrize("data,needs", LITERAL_CASES)
def test_literals_split_at_every_boundary(data: bytes, needs: list) -> None:
    whole = Receiver().feed(data)
    assert whole[:-1] == needs
    cmd = whole[-1]
    assert isinstance(cmd, Command) and isinstance(cmd.args, rq.Login)
    assert cmd.args.username == "fred"
    for cut in range(len(data) + 1):
        assert feed_split(data, cut) == whole
    assert feed_bytewise(data) == whole


def test_login_literal_password_content() -> None:
    (_, _, cmd) = Receiver().feed(b"a1 LOGIN {4}\r\nfred {6}\r\nse\r\nt!\r\n")
    assert cmd.args.password == "se\r\nt!"


def test_literal8_append_split_everywhere() -> None:
    msg = b"Subject: x\r\n\r\n\x00\x01bin"
    data = b"A3 APPEND Drafts (\\Draft) ~{%d+}\r\n%s ~{3}\r\nabc\r\n" % (len(msg), msg)
    whole = Receiver().feed(data)
    assert whole[0] == NeedLiteral("A3", 3)
    cmd = whole[1]
    assert cmd.name == "APPEND"
    assert [m.data for m in cmd.args.messages] == [msg, b"abc"]
    assert [m.binary for m in cmd.args.messages] == [True, True]
    assert cmd.args.messages[0].flags == ("\\Draft",)
    for cut in range(len(data) + 1):
        assert feed_split(data, cut) == whole


def test_zero_length_literal() -> None:
    events = Receiver().feed(b"a LOGIN {0}\r\n {0+}\r\n\r\n")
    assert events[0] == NeedLiteral("a", 0)
    assert events[1].args.username == "" and events[1].args.password == ""


def test_pipelined_commands_in_one_chunk() -> None:
    events = Receiver().feed(b"a NOOP\r\nb CAPABILITY\r\nc LOGOUT\r\n")
    assert [(e.tag, e.name) for e in events] == [("a", "NOOP"), ("b", "CAPABILITY"), ("c", "LOGOUT")]


def test_bare_lf_and_blank_lines_tolerated() -> None:
    events = Receiver().feed(b"\r\na NOOP\n\r\n")
    assert events == [Command("a", "NOOP", rq.Noop())]


def test_line_too_long_resyncs_to_next_line() -> None:
    limits = Limits(line_length=50)
    data = b"a1 SELECT " + b"x" * 100 + b"\r\na2 NOOP\r\n"
    for cut in (0, 5, 30, 60, 110, len(data)):
        events = feed_split(data, cut, limits)
        assert isinstance(events[0], LineTooLong) and events[0].code == "TOOBIG"
        assert events[0].tag == "a1"
        assert events[1] == Command("a2", "NOOP", rq.Noop())
        assert len(events) == 2


def test_line_buffer_is_bounded_without_newline() -> None:
    r = Receiver(Limits(line_length=100))
    events = []
    for _ in range(1000):
        events += r.feed(b"y" * 1000)
        assert r.buffered <= 102
    assert len(events) == 1 and isinstance(events[0], LineTooLong)
    assert r.feed(b"\r\nz NOOP\r\n") == [Command("z", "NOOP", rq.Noop())]


def test_sync_literal_too_big_is_refused_without_reading() -> None:
    r = Receiver(Limits(literal_size=10))
    events = r.feed(b"a1 APPEND INBOX {11}\r\n")
    assert events == [LiteralTooBig("a1", "literal too big", "TOOBIG", 11)]
    # The client never sends the octets: the next line is a new command.
    assert r.feed(b"a2 NOOP\r\n") == [Command("a2", "NOOP", rq.Noop())]


def test_nonsync_literal_too_big_is_skipped() -> None:
    body = b"\r\nb1 NOOP\r\n" * 3  # would look like commands if not skipped
    data = b"a1 APPEND INBOX {%d+}\r\n%s {3+}\r\nxyz more\r\na2 NOOP\r\n" % (len(body), body)
    limits = Limits(literal_size=len(body) - 1)
    for cut in range(len(data) + 1):
        events = feed_split(data, cut, limits)
        assert isinstance(events[0], LiteralTooBig) and events[0].code == "TOOBIG"
        assert events[1:] == [Command("a2", "NOOP", rq.Noop())]


def test_literal_minus_limits_nonsync_to_4096() -> None:
    r = Receiver(Limits(literal_minus=True))
    assert isinstance(r.feed(b"a APPEND INBOX {4097+}\r\n")[0], LiteralTooBig)
    r = Receiver(Limits(literal_minus=True))
    assert r.feed(b"a APPEND INBOX {4097}\r\n") == [NeedLiteral("a", 4097)]


def test_preauth_limits_are_stricter_and_swappable() -> None:
    r = Receiver(PREAUTH_LIMITS)
    assert isinstance(r.feed(b"a LOGIN {9000}\r\n")[0], LiteralTooBig)
    r.limits = Limits()
    assert r.feed(b"a LOGIN {9000}\r\n") == [NeedLiteral("a", 9000)]


def test_literals_outside_append_have_their_own_smaller_limit() -> None:
    """Only APPEND carries messages: a 70 KB mailbox name or search string is refused at
    its announcement ([limits] literal_size), while APPEND may send up to literal_size."""
    limits = Limits(literal_size=1_000_000, string_literal_size=65_536)
    for command in (b"a SEARCH TEXT", b"a CREATE", b"a LOGIN", b"a UID SEARCH BODY", b"a SELECT"):
        r = Receiver(limits)
        assert r.feed(command + b" {65536}\r\n") == [NeedLiteral("a", 65_536)]
        r = Receiver(limits)
        events = r.feed(command + b" {65537}\r\na2 NOOP\r\n")
        assert events == [LiteralTooBig("a", "literal too big", "TOOBIG", 65_537), Command("a2", "NOOP", rq.Noop())]
    r = Receiver(limits)
    assert r.feed(b"a append INBOX {900000}\r\n") == [NeedLiteral("a", 900_000)]
    r = Receiver(limits)  # MULTIAPPEND's later messages too
    assert r.feed(b"a APPEND INBOX {1+}\r\nx {70000}\r\n") == [NeedLiteral("a", 70_000)]


def test_too_many_literals() -> None:
    r = Receiver(Limits(max_literals=2))
    events = r.feed(b"a APPEND INBOX {1+}\r\nx {1+}\r\ny {1+}\r\nz\r\nb NOOP\r\n")
    assert isinstance(events[0], LiteralTooBig) and events[0].code == "LIMIT"
    assert events[-1] == Command("b", "NOOP", rq.Noop())


def test_command_size_limit() -> None:
    r = Receiver(Limits(command_size=100, literal_size=80))
    events = r.feed(b"a APPEND INBOX {60}\r\n" + b"x" * 60 + b" {60}\r\n")
    assert events[0] == NeedLiteral("a", 60)
    assert isinstance(events[1], LiteralTooBig)


def test_reject_literal_drops_command() -> None:
    r = Receiver()
    assert r.feed(b"a1 APPEND Nope {5}\r\n") == [NeedLiteral("a1", 5)]
    r.reject_literal()
    assert r.feed(b"a2 NOOP\r\n") == [Command("a2", "NOOP", rq.Noop())]


def test_authenticate_continuation_mode() -> None:
    r = Receiver()
    (cmd,) = r.feed(b"a AUTHENTICATE PLAIN\r\n")
    assert cmd.args == rq.Authenticate("PLAIN", None)
    r.expect_line()
    assert r.feed(b"AGZyZWQAc2VjcmV0\r\n") == [ContinuationLine(b"AGZyZWQAc2VjcmV0")]
    assert r.feed(b"b NOOP\r\n")[0].name == "NOOP"


def test_authenticate_sasl_ir() -> None:
    (cmd,) = Receiver().feed(b"a AUTHENTICATE plain AGZyZWQAc2VjcmV0\r\n")
    assert cmd.args == rq.Authenticate("PLAIN", b"AGZyZWQAc2VjcmV0")
    (cmd,) = Receiver().feed(b"a AUTHENTICATE PLAIN =\r\n")
    assert cmd.args.initial_response == b"="


def test_idle_done() -> None:
    r = Receiver()
    assert r.feed(b"a IDLE\r\n")[0].args == rq.Idle()
    r.expect_done()
    assert r.feed(b"do") == []
    assert r.feed(b"ne\r\n") == [Done()]
    r.expect_done()
    assert r.feed(b"b NOOP\r\n") == [BadCommand(None, "expected DONE")]


def test_literal_data_is_not_copied_per_chunk() -> None:
    r = Receiver()
    r.feed(b"a APPEND INBOX {100000}\r\n")
    for _ in range(100):
        r.feed(b"x" * 1000)
    (cmd,) = r.feed(b"\r\n")
    assert cmd.args.messages[0].data == b"x" * 100000


def test_missing_tag_and_unknown_command() -> None:
    r = Receiver()
    assert r.feed(b"NOOP\r\n") == [BadCommand(None, "missing or invalid tag")]
    assert r.feed(b"+a NOOP\r\n")[0].tag is None
    assert r.feed(b"a FROB\r\n") == [BadCommand("a", "unknown command FROB")]
    assert r.feed(b"a UID NOOP\r\n")[0].tag == "a"


def test_utf8_mode_mailbox_names() -> None:
    r = Receiver()
    assert r.feed(b"a SELECT Caf&AOk-\r\n")[0].args.mailbox == "Café"
    assert isinstance(r.feed("a SELECT \"Café\"\r\n".encode())[0], BadCommand)
    r.utf8 = True
    assert r.feed("a SELECT \"Café\"\r\n".encode())[0].args.mailbox == "Café"
