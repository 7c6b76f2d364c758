"""Every command's parser, positive and negative."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from postvak.protocols.imap import DEFAULT_LIMITS, BadCommand, Command, Limits, Receiver
from postvak.protocols.imap import requests as rq
from postvak.protocols.imap import search as s
from postvak.protocols.imap.fetch import Att, BinarySize, BodySection, Preview, Section
from postvak.protocols.imap.seqset import SequenceSet


def one(line: str | bytes, limits: Limits = DEFAULT_LIMITS, utf8: bool = False):
    data = line.encode() if isinstance(line, str) else line
    events = Receiver(limits, utf8=utf8).feed(data + b"\r\n")
    assert len(events) == 1, events
    return events[0]


def args(line: str, **kw):
    event = one(line, **kw)
    assert isinstance(event, Command), event
    return event.args


def bad(line: str, **kw) -> BadCommand:
    event = one(line, **kw)
    assert isinstance(event, BadCommand), event
    return event


SS = SequenceSet.parse


@pytest.mark.parametrize(
    "line,expected",
    [
        ("a CAPABILITY", rq.Capability()),
        ("a noop", rq.Noop()),
        ("a LOGOUT", rq.Logout()),
        ("a STARTTLS", rq.StartTls()),
        ("a IDLE", rq.Idle()),
        ("a CHECK", rq.Check()),
        ("a CLOSE", rq.Close()),
        ("a UNSELECT", rq.Unselect()),
        ("a NAMESPACE", rq.Namespace()),
        ("a EXPUNGE", rq.Expunge()),
        ("a UID EXPUNGE 3:5", rq.Expunge(SS("3:5"))),
        ("a LOGIN fred \"p w\"", rq.Login("fred", "p w")),
        ("a ENABLE CONDSTORE utf8=accept", rq.Enable(("CONDSTORE", "UTF8=ACCEPT"))),
        ("a ID NIL", rq.Id(None)),
        ('a ID ("name" "Thunderbird" "version" NIL)', rq.Id((("name", "Thunderbird"), ("version", None)))),
        ("a SELECT inbox", rq.Select("INBOX")),
        ("a EXAMINE Sent", rq.Select("Sent", readonly=True)),
        ("a SELECT INBOX (CONDSTORE)", rq.Select("INBOX", condstore=True)),
        (
            "a SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541 (1:7 41:47)))",
            rq.Select(
                "INBOX",
                qresync=rq.QResync(67890007, 90060115194045000, SS("41:211,214:541"), (SS("1:7"), SS("41:47"))),
            ),
        ),
        ("a SELECT INBOX (QRESYNC (1 2))", rq.Select("INBOX", qresync=rq.QResync(1, 2))),
        ("a CREATE Work/Projects", rq.Create("Work/Projects")),
        ("a CREATE Stuff (USE (\\Drafts))", rq.Create("Stuff", ("\\Drafts",))),
        ("a DELETE Old", rq.Delete("Old")),
        ('a RENAME Old "New Name"', rq.Rename("Old", "New Name")),
        ("a SUBSCRIBE x", rq.Subscribe("x")),
        ("a UNSUBSCRIBE x", rq.Unsubscribe("x")),
        ('a LIST "" *', rq.List("", ("*",))),
        ('a LIST "" %/]x', rq.List("", ("%/]x",))),
        ("a LIST Work %", rq.List("Work", ("%",))),
        (
            'a LIST (SPECIAL-USE) "" * RETURN (SUBSCRIBED)',
            rq.List("", ("*",), frozenset({"SPECIAL-USE"}), frozenset({"SUBSCRIBED"}), (), True),
        ),
        ('a LIST "" ("INBOX" "Sent")', rq.List("", ("INBOX", "Sent"), extended=True)),
        ('a LIST "" % RETURN ()', rq.List("", ("%",), extended=True)),
        ('a LSUB "" *', rq.Lsub("", "*")),
        ("a STATUS INBOX (MESSAGES UNSEEN SIZE HIGHESTMODSEQ DELETED)",
         rq.Status("INBOX", ("MESSAGES", "UNSEEN", "SIZE", "HIGHESTMODSEQ", "DELETED"))),
        ("a UID COPY 1:3 Trash", rq.Copy(SS("1:3"), "Trash", uid=True)),
        ("a COPY 2 Trash", rq.Copy(SS("2"), "Trash")),
        ("a MOVE $ Spam", rq.Move(SequenceSet(saved=True), "Spam")),
        ("a UID MOVE 4:* Spam", rq.Move(SS("4:*"), "Spam", uid=True)),
        ("a STORE 1 +FLAGS (\\Seen $Forwarded)", rq.Store(SS("1"), "+", ("\\Seen", "$Forwarded"))),
        ("a UID STORE 1:* -FLAGS.SILENT \\Deleted", rq.Store(SS("1:*"), "-", ("\\Deleted",), True, True)),
        ("a STORE 1 FLAGS ()", rq.Store(SS("1"), "", ())),
        ("a STORE 1 (UNCHANGEDSINCE 12) FLAGS \\Seen", rq.Store(SS("1"), "", ("\\Seen",), unchangedsince=12)),
        ("a GETQUOTA \"\"", rq.GetQuota("")),
        ("a GETQUOTAROOT INBOX", rq.GetQuotaRoot("INBOX")),
        ("a SETQUOTA \"\" (STORAGE 512)", rq.SetQuota("", (("STORAGE", 512),))),
        ('a GETMETADATA "" /shared/comment', rq.GetMetadata("", ("/shared/comment",))),
        ("a GETMETADATA (MAXSIZE 1024 DEPTH infinity) INBOX (/private/a /private/b)",
         rq.GetMetadata("INBOX", ("/private/a", "/private/b"), 1024, "infinity")),
        ('a SETMETADATA INBOX (/private/color "red" /private/x NIL)',
         rq.SetMetadata("INBOX", (("/private/color", b"red"), ("/private/x", None)))),
        ("a SORT (REVERSE DATE SUBJECT) UTF-8 ALL",
         rq.Sort((rq.SortCriterion("DATE", True), rq.SortCriterion("SUBJECT")), "UTF-8", s.All())),
        ("a UID SORT RETURN (MIN) (DISPLAYFROM) US-ASCII UNSEEN",
         rq.Sort((rq.SortCriterion("DISPLAYFROM"),), "US-ASCII", s.Flag("\\Seen", False), True, ("MIN",))),
        ("a THREAD REFERENCES UTF-8 ALL", rq.Thread("REFERENCES", "UTF-8", s.All())),
        ("a UID THREAD ORDEREDSUBJECT UTF-8 SINCE 1-Jan-2024",
         rq.Thread("ORDEREDSUBJECT", "UTF-8", s.Date("internal", "since", date(2024, 1, 1)), True)),
    ],
)
def test_commands(line: str, expected: rq.Request) -> None:
    assert args(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "a CAPABILITY extra",
        "a LOGIN fred",
        "a LOGIN fred pass extra",
        "a ENABLE",
        "a SELECT",
        "a SELECT INBOX (FROB)",
        "a SELECT INBOX ()",
        "a SELECT &Jjo",  # unterminated modified UTF-7
        "a SELECT &AGE-",  # printable ASCII encoded
        "a CREATE x (USE (\\Bogus))",
        "a RENAME a",
        'a LIST "" * RETURN (FROB)',
        'a LIST (FROB) "" *',
        'a LIST (RECURSIVEMATCH) "" *',
        "a STATUS INBOX (FROB)",
        "a STATUS INBOX ()",
        "a APPEND INBOX",
        "a APPEND INBOX (\\Seen)",
        'a APPEND INBOX "bad date" {1+}\r\nx',
        "a APPEND INBOX (\\Recent) {1+}\r\nx",
        "a STORE 1 FLAGS (\\*)",
        "a STORE 1 XFLAGS \\Seen",
        "a STORE 0 FLAGS \\Seen",
        "a FETCH 1 (FROB)",
        "a FETCH 1 ()",
        "a FETCH 1 BODY[HEADER.FIELDS ()]",
        "a FETCH 1 BODY[MIME]",
        "a FETCH 1 BODY[]<5.0>",
        "a FETCH 1 FLAGS (VANISHED)",
        "a UID FETCH 1 FLAGS (VANISHED)",
        "a FETCH 1:2:3 FLAGS",
        "a COPY 1",
        "a UID FROB 1",
        "a SORT (FROB) UTF-8 ALL",
        "a SORT (DATE) KOI8-R ALL",
        "a THREAD FROB UTF-8 ALL",
        "a SEARCH",
        "a SEARCH FROB",
        "a SEARCH RETURN (FROB) ALL",
        "a SEARCH SINCE 31-Feb-2024",
        "a SEARCH (ALL",
        "a ID (\"a\")",
        "a GETMETADATA (DEPTH 7) INBOX /x",
        "a SETQUOTA \"\" (STORAGE x)",
    ],
)
def test_bad_commands(line: str) -> None:
    event = bad(line)
    assert event.tag == "a"


def test_append_multi_with_dates() -> None:
    data = b'a APPEND Sent (\\Seen) " 5-Mar-2024 09:01:02 -0130" {2+}\r\nhi {3+}\r\nyou\r\n'
    (cmd,) = Receiver().feed(data)
    m1, m2 = cmd.args.messages
    assert m1.internal_date == datetime(2024, 3, 5, 9, 1, 2, tzinfo=timezone(-timedelta(hours=1, minutes=30)))
    assert (m1.flags, m1.data, m2.flags, m2.internal_date, m2.data) == (("\\Seen",), b"hi", (), None, b"you")


def test_fetch_items() -> None:
    a = args("a FETCH 1:* (UID RFC822.SIZE BODY.PEEK[1.2.HEADER.FIELDS.NOT (X-A \"x b\")]<10.20> BINARY.PEEK[2] "
             "BINARY.SIZE[1.1] BODY[TEXT] BODY PREVIEW)")
    assert a.items == (
        Att("UID"),
        Att("RFC822.SIZE"),
        BodySection(Section((1, 2), "HEADER.FIELDS.NOT", ("X-A", "x b")), peek=True, partial=(10, 20)),
        BodySection(Section((2,)), peek=True, binary=True),
        BinarySize((1, 1)),
        BodySection(Section((), "TEXT")),
        Att("BODY"),
        Preview(),
    )
    assert a.items[2].response_name() == 'BODY[1.2.HEADER.FIELDS.NOT (X-A "x b")]<10>'
    assert a.items[3].response_name() == "BINARY[2]"


def test_fetch_macros_and_uid_modifiers() -> None:
    a = args("a FETCH 1 FAST")
    assert a.macro == "FAST" and a.items == (Att("FLAGS"), Att("INTERNALDATE"), Att("RFC822.SIZE"))
    a = args("a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)")
    assert a.uid and a.vanished and a.changedsince == 12345
    assert a.items == (Att("UID"), Att("FLAGS"), Att("MODSEQ"))
    assert args("a FETCH 2 BODY[]").items == (BodySection(Section()),)


def test_search_keys() -> None:
    a = args("a SEARCH CHARSET UTF-8 OR (FROM \"Jan\" SUBJECT x) NOT KEYWORD $Junk HEADER List-Id foo "
             "UID 1:* LARGER 100 SMALLER 5 SENTBEFORE \"1-Jan-2024\" ON 02-Feb-2023 NEW OLD YOUNGER 60 "
             "MODSEQ \"/flags/\\\\draft\" all 620162338 MODSEQ 5 X-POSTVAK-RAW \"info* -spam\" BCC b CC c TO t TEXT w BODY y")
    assert a.charset == "UTF-8" and a.returns is None
    assert a.key == s.And((
        s.Or(s.And((s.Text("from", "Jan"), s.Text("subject", "x"))), s.Not(s.Flag("$Junk"))),
        s.Header("List-Id", "foo"),
        s.Uid(SS("1:*")),
        s.Size("larger", 100),
        s.Size("smaller", 5),
        s.Date("sent", "before", date(2024, 1, 1)),
        s.Date("internal", "on", date(2023, 2, 2)),
        s.And((s.Flag("\\Recent"), s.Flag("\\Seen", False))),
        s.Flag("\\Recent", False),
        s.Age("younger", 60),
        s.ModSeq(620162338, "/flags/\\draft", "all"),
        s.ModSeq(5),
        s.Raw("info* -spam"),
        s.Text("bcc", "b"), s.Text("cc", "c"), s.Text("to", "t"), s.Text("text", "w"), s.Text("body", "y"),
    ))


def test_search_uid_and_seq_and_saved() -> None:
    key = args("a SEARCH UID 5:7 1,3 $").key
    assert key == s.And((s.Uid(SS("5:7")), s.Seq(SS("1,3")), s.Seq(SequenceSet(saved=True))))


def test_esearch_return() -> None:
    a = args("a UID SEARCH RETURN (MIN MAX COUNT SAVE) UNDELETED")
    assert a.returns == ("MIN", "MAX", "COUNT", "SAVE") and a.uid
    assert args("a SEARCH RETURN () ALL").returns == ("ALL",)


def test_search_literal_string() -> None:
    r = Receiver()
    assert r.feed(b"a SEARCH CHARSET UTF-8 SUBJECT {3}\r\n")[0].size == 3
    (cmd,) = r.feed("ét".encode() + b"\r\n")
    assert cmd.args.key == s.Text("subject", "ét")


def test_badcharset_code() -> None:
    assert bad("a SEARCH CHARSET ISO-8859-1 ALL").code == "BADCHARSET"


def test_paren_depth_limit() -> None:
    limits = Limits(paren_depth=3)
    assert isinstance(one("a SEARCH (((ALL)))", limits=limits), Command)
    assert bad("a SEARCH ((((ALL))))", limits=limits).code == "LIMIT"


def test_search_depth_limit_guards_recursion() -> None:
    line = "a SEARCH " + "NOT " * 5000 + "ALL"
    assert bad(line).code == "LIMIT"
    assert isinstance(one("a SEARCH " + "OR ALL " * 50 + "ALL"), Command)


def test_max_command_args() -> None:
    limits = Limits(max_command_args=5)
    assert bad("a FETCH 1 (UID FLAGS ENVELOPE BODY RFC822.SIZE INTERNALDATE)", limits=limits).code == "LIMIT"
    assert isinstance(one("a FETCH 1 (UID FLAGS)", limits=limits), Command)


def test_inbox_case_insensitive_and_mutf7() -> None:
    assert args("a SELECT iNbOx").mailbox == "INBOX"
    assert args("a CREATE &ZeVnLIqe-").mailbox == "日本語"
    assert args("a CREATE ~peter/mail/&U,BTFw-/&ZeVnLIqe-").mailbox == "~peter/mail/台北/日本語"
