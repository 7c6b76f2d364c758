from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from postvak.protocols.imap import ProtocolError, Receiver
from postvak.protocols.imap import codes as c
from postvak.protocols.imap import formatter as f


def test_strings_choose_quoted_or_literal() -> None:
    assert f.string("hi \"x\" \\") == b'"hi \\"x\\" \\\\"'
    assert f.string("a\r\nb") == b"{4}\r\na\r\nb"
    assert f.string(b"a\x00b") == b"~{3}\r\na\x00b"
    assert f.string("é", utf8=False) == b"{2}\r\n\xc3\xa9"
    assert f.string("é") == '"é"'.encode()
    assert f.string("x" * 2000).startswith(b"{2000}\r\n")
    assert f.nstring(None) == b"NIL"
    assert f.astring("INBOX") == b"INBOX"
    assert f.astring("NIL") == b'"NIL"'
    assert f.astring("") == b'""'
    assert f.astring("a b") == b'"a b"'
    with pytest.raises(ProtocolError):
        f.quoted("a\nb")


def test_mailbox_and_flags() -> None:
    assert f.mailbox("Entwürfe") == b"Entw&APw-rfe"
    assert f.mailbox("Entwürfe", utf8=True) == '"Entwürfe"'.encode()
    assert f.flag_list(["\\Seen", "$Forwarded"]) == b"(\\Seen $Forwarded)"
    assert f.flag_list([]) == b"()"
    with pytest.raises(ProtocolError):
        f.flag_list(["a b"])


def test_date_time() -> None:
    d = datetime(2024, 3, 5, 9, 1, 2, tzinfo=timezone(-timedelta(hours=1, minutes=30)))
    assert f.date_time(d) == b'" 5-Mar-2024 09:01:02 -0130"'


def test_tagged_untagged_codes() -> None:
    assert f.tagged("a1", "NO", "no such\r\nmailbox", c.TRYCREATE) == b"a1 NO [TRYCREATE] no such  mailbox\r\n"
    assert f.tagged("a1", "OK", "done", c.appenduid(38505, [3955])) == b"a1 OK [APPENDUID 38505 3955] done\r\n"
    assert f.untagged("OK", "flags", c.permanentflags(["\\Seen", "\\*"])) == b"* OK [PERMANENTFLAGS (\\Seen \\*)] flags\r\n"
    assert f.untagged("OK", "", c.uidnext(5)) == b"* OK [UIDNEXT 5]\r\n"
    assert c.copyuid(1, [3, 4, 5, 9], [10, 11, 12, 13]).render() == b"[COPYUID 1 3:5,9 10:13]"
    assert c.copyuid(1, [5, 4], [10, 11]).render() == b"[COPYUID 1 5,4 10:11]"
    assert c.modified([7, 9, 8]).render() == b"[MODIFIED 7:9]"
    assert c.capability(["IMAP4rev1", "IDLE"]).render() == b"[CAPABILITY IMAP4rev1 IDLE]"
    assert c.badcharset().render() == b"[BADCHARSET (UTF-8)]"
    for code in (c.CLOSED, c.NONEXISTENT, c.ALREADYEXISTS, c.OVERQUOTA, c.SERVERBUG, c.CANNOT, c.LIMIT,
                 c.TOOBIG, c.UNKNOWN_CTE, c.NOPERM, c.INUSE, c.AUTHENTICATIONFAILED, c.PRIVACYREQUIRED):
        assert code.render() == b"[" + code.name.encode() + b"]"
    assert f.continuation() == b"+ Ready\r\n"
    assert f.continuation(b"") == b"+ \r\n"


def test_data_responses() -> None:
    assert f.exists(3) == b"* 3 EXISTS\r\n"
    assert f.expunge(2) == b"* 2 EXPUNGE\r\n"
    assert f.vanished([1, 2, 3, 7], earlier=True) == b"* VANISHED (EARLIER) 1:3,7\r\n"
    assert f.list_response(["\\HasNoChildren", "\\Sent"], "/", "Sent") == b'* LIST (\\HasNoChildren \\Sent) "/" Sent\r\n'
    assert f.list_response([], None, "a b", kind="LSUB") == b'* LSUB () NIL "a b"\r\n'
    assert f.status_response("INBOX", [("MESSAGES", 2), ("UNSEEN", 1)]) == b"* STATUS INBOX (MESSAGES 2 UNSEEN 1)\r\n"
    assert f.search_response([2, 5], modseq=9) == b"* SEARCH 2 5 (MODSEQ 9)\r\n"
    assert f.search_response([]) == b"* SEARCH\r\n"
    assert f.sort_response([3, 1]) == b"* SORT 3 1\r\n"
    assert f.esearch_response("a", False, count=0, all=[]) == b'* ESEARCH (TAG "a") COUNT 0\r\n'
    assert f.enabled(["CONDSTORE"]) == b"* ENABLED CONDSTORE\r\n"
    assert f.namespace_response([("", "/")], None, [("Shared/", "/")]) == b'* NAMESPACE (("" "/")) NIL (("Shared/" "/"))\r\n'
    assert f.id_response([("name", "Postvak"), ("x", None)]) == b'* ID ("name" "Postvak" "x" NIL)\r\n'
    assert f.quota_response("", [("STORAGE", 10, 512)]) == b'* QUOTA "" (STORAGE 10 512)\r\n'
    assert f.quotaroot_response("INBOX", [""]) == b'* QUOTAROOT INBOX ""\r\n'
    assert f.metadata_response("", [("/shared/comment", b"hi")]) == b'* METADATA "" (/shared/comment "hi")\r\n'
    assert f.capability(["IMAP4rev1"]) == b"* CAPABILITY IMAP4rev1\r\n"


def test_thread_response_rfc5256_example() -> None:
    T = f.ThreadNode
    tree = [T(2), T(3, (T(6, (T(4, (T(23),)), T(44, (T(7, (T(96),)),)))),))]
    assert f.thread_response(tree) == b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n"
    assert f.thread_response([T(None, (T(3), T(5)))]) == b"* THREAD ((3)(5))\r\n"
    assert f.thread_response([]) == b"* THREAD\r\n"


def test_fetch_streams_literal() -> None:
    chunks = (b"x" * 10 for _ in range(3))
    parts = list(f.fetch_response_parts(4, [("UID", b"9"), ("BODY[]", f.LiteralStream(30, chunks)), ("FLAGS", b"()")]))
    assert parts[0] == b"* 4 FETCH (UID 9 BODY[] {"
    assert parts[1] == b"30}\r\n"
    assert parts[2:5] == [b"x" * 10] * 3
    assert parts[5] == b" FLAGS ())\r\n"
    assert f.fetch_response(1, [("BINARY[1]", f.LiteralStream(1, [b"\x00"], binary=True))]) == b"* 1 FETCH (BINARY[1] ~{1}\r\n\x00)\r\n"
    with pytest.raises(ProtocolError):
        list(f.fetch_response_parts(1, [("BODY[]", f.LiteralStream(5, [b"abc"]))]))
    with pytest.raises(ProtocolError):
        list(f.fetch_response_parts(1, [("BODY[]", f.LiteralStream(2, [b"abc"]))]))


@pytest.mark.parametrize("value", ["plain", "with \"quotes\" and \\", "multi\r\nline", "é ü", "", "x" * 3000])
def test_string_round_trips_through_the_parser(value: str) -> None:
    # A formatted string is a valid astring for the parser: LOGIN <string> <string>.
    wire = b"a LOGIN " + f.astring(value) + b" " + f.string(value) + b"\r\n"
    events = Receiver().feed(wire)
    cmd = events[-1]
    assert cmd.args.username == value and cmd.args.password == value


def test_mailbox_round_trip() -> None:
    for name in ("Entwürfe", "日本語/Sub", "A&B", "INBOX"):
        events = Receiver().feed(b"a SELECT " + f.mailbox(name) + b"\r\n")
        assert events[-1].args.mailbox == name
