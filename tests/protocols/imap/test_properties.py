"""Hypothesis: any bytes in any chunking give only events, with bounded memory; round trips."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.protocols.imap import BadCommand, Command, Limits, NeedLiteral, Receiver
from postvak.protocols.imap import formatter as f
from postvak.protocols.imap import requests as rq
from postvak.protocols.imap.events import ContinuationLine, Done

LIMITS = Limits(line_length=200, literal_size=300, command_size=1000, paren_depth=5, max_command_args=50)

# Fragments that make random input reach deep into the grammar.
FRAGMENTS = st.sampled_from([
    b"a1 ", b"UID ", b"FETCH ", b"SEARCH ", b"APPEND ", b"STORE ", b"SELECT ", b"LIST ", b"LOGIN ", b"SORT ",
    b"THREAD ", b"STATUS ", b"(", b")", b"{3}\r\n", b"{2+}\r\n", b"~{1}\r\n", b"{999999}\r\n", b"\r\n", b"\n",
    b"\"", b"\\", b"1:*", b"$", b"BODY[", b"]", b"<0.5>", b"NOT ", b"OR ", b"INBOX", b"&AOk-", b"&", b"NIL",
    b"RETURN ", b"CHARSET UTF-8 ", b"\x00", b"\xff", b" ", b"x", b"12-Jan-2024", b"HEADER.FIELDS (A)",
])
INPUT = st.one_of(st.binary(max_size=600), st.lists(st.one_of(FRAGMENTS, st.binary(max_size=8)), max_size=80).map(b"".join))
EVENTS = (Command, NeedLiteral, BadCommand, ContinuationLine, Done)


def run(data: bytes, cuts: list[int]) -> list:
    r = Receiver(LIMITS)
    events: list = []
    pos = 0
    for cut in sorted(c % (len(data) + 1) for c in cuts) + [len(data)]:
        events += r.feed(data[pos:cut])
        pos = cut
        # Memory stays bounded by the limits whatever arrives.
        assert r.buffered <= LIMITS.command_size + LIMITS.line_length + 2
    return events


@settings(max_examples=400, deadline=None)
@given(INPUT, st.lists(st.integers(0, 10_000), max_size=6))
def test_any_bytes_any_chunking_only_events(data: bytes, cuts: list[int]) -> None:
    events = run(data, cuts)
    assert all(isinstance(e, EVENTS) for e in events)
    # Chunking never changes the result.
    assert events == run(data, [])


@settings(max_examples=100, deadline=None)
@given(INPUT)
def test_modes_never_raise(data: bytes) -> None:
    r = Receiver(LIMITS)
    r.expect_line()
    r.feed(data)
    r.expect_done()
    r.feed(data)


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT)
def test_login_strings_round_trip(user: str, password: str) -> None:
    wire = b"t LOGIN " + f.astring(user) + b" " + f.string(password) + b"\r\n"
    events = Receiver().feed(wire)
    assert events[-1] == Command("t", "LOGIN", rq.Login(user, password))


MAILBOX = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(MAILBOX, st.booleans())
def test_mailbox_names_round_trip(name: str, utf8: bool) -> None:
    events = Receiver(utf8=utf8).feed(b"t DELETE " + f.mailbox(name, utf8) + b"\r\n")
    expected = "INBOX" if name.upper() == "INBOX" else name
    assert events[-1] == Command("t", "DELETE", rq.Delete(expected))


FLAG = st.from_regex(r"\\?[A-Za-z$][A-Za-z0-9$_-]{0,10}", fullmatch=True).filter(lambda x: x.lower() != "\\recent")


@settings(max_examples=100, deadline=None)
@given(st.lists(FLAG, max_size=6), st.binary(max_size=200))
def test_append_round_trip(flags: list[str], message: bytes) -> None:
    wire = b"t APPEND INBOX " + f.flag_list(flags) + b" " + f.literal(message, binary=b"\x00" in message) + b"\r\n"
    events = Receiver().feed(wire)
    cmd = events[-1]
    assert isinstance(cmd, Command)
    (m,) = cmd.args.messages
    assert m.flags == tuple(flags) and m.data == message
