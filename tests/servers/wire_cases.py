"""The hostile inputs of tests/servers/test_wire_garbage.py, per protocol: bounded and
seeded (the same bytes on every run), as data the tests there send and check."""

from __future__ import annotations

import random

from postvak.protocols.activesync.element import E
from tests.servers.wire_support import CONT, client_hello, random_lines

SEED = 20261129
MESSAGE_SIZE = 1_048_576  # the server's limits.message_size; also the IMAP literal limit after login


Case = tuple[str, bytes, bytes]  # name, valid setup command(s), hostile payload


def common_cases(rng: random.Random, line_limit: int) -> list[Case]:
    return [
        ("random bytes", b"", random_lines(rng, 3)),
        ("random bytes 2", b"", random_lines(rng, 2)),
        ("NUL bytes", b"", b"\x00\x00\x00\r\nNO\x00OP\r\n"),
        ("line over the limit", b"", b"A" * (line_limit + 100) + b"\r\n"),
        ("line far over the limit", b"", b"B" * (line_limit * 8) + b"\r\n"),
        ("bare CR inside a line", b"", b"HELP\rQUIT\r\n"),
        ("non-UTF-8", b"", b"\xff\xfe\xc3\x28 \xa0\xa1\r\n"),
        ("TLS ClientHello on a plain port", b"", client_hello() + b"\r\n"),
    ]


SMTP_LINE = 1000  # RFC 5321 4.5.3.1.4: a command line is at most 512 octets; aiosmtpd allows more


def smtp_cases(rng: random.Random) -> list[Case]:
    return common_cases(rng, SMTP_LINE) + [
        ("empty line", b"", b"\r\n"),
        ("unknown verb", b"", b"FROB x\r\n"),
        ("MAIL before EHLO", b"", b"MAIL FROM:<a@example.net>\r\n"),
        ("RCPT before MAIL", b"EHLO c\r\n", b"RCPT TO:<alice@example.test>\r\n"),
        ("DATA before RCPT", b"EHLO c\r\n", b"DATA\r\n"),
        ("BDAT before MAIL", b"EHLO c\r\n", b"BDAT 5 LAST\r\nhello"),
        ("BDAT size overflow", b"EHLO c\r\n", b"BDAT 99999999999999999999999 LAST\r\n"),
        ("MAIL with non-UTF-8 address", b"EHLO c\r\n", b"MAIL FROM:<\xff\xfe@example.net>\r\n"),
        ("MAIL with huge SIZE", b"EHLO c\r\n", b"MAIL FROM:<a@example.net> SIZE=999999999999999999999999\r\n"),
        ("MAIL with NUL", b"EHLO c\r\n", b"MAIL FROM:<a\x00b@example.net>\r\n"),
        ("MAIL with a non-UTF-8 parameter", b"EHLO c\r\n", b"MAIL FROM:<a@example.net> BODY=\xff\xfe\r\n"),
        ("MAIL with a non-UTF-8 parameter name", b"EHLO c\r\n", b"MAIL FROM:<a@example.net> \xff=1\r\n"),
        ("AUTH garbage", b"EHLO c\r\n", b"AUTH PLAIN %%%not-base64%%%\r\n"),
        ("AUTH unknown mechanism", b"EHLO c\r\n", b"AUTH X-FROB\r\n"),
        ("HELO without name", b"", b"HELO\r\n"),
        ("HELP for an unknown command", b"", b"HELP FROB\r\n"),
        ("STARTTLS with an argument", b"EHLO c\r\n", b"STARTTLS now\r\n"),
        ("AUTH response over the limit", b"EHLO c\r\n", b"AUTH LOGIN\r\n" + b"A" * 9000 + b"\r\n"),
        ("AUTH response not base64", b"EHLO c\r\n", b"AUTH LOGIN\r\n\xff\xfe\x00***\r\n"),
        ("AUTH cancelled", b"EHLO c\r\n", b"AUTH LOGIN\r\n*\r\n"),
        ("pipelined junk after EHLO", b"EHLO c\r\n", random_lines(rng, 2) + b"RSET extra\r\n"),
        ("BDAT with a non-numeric size", b"EHLO c\r\n", b"BDAT 1x LAST\r\n"),
        ("BDAT with a negative size", b"EHLO c\r\n", b"BDAT -5 LAST\r\n"),
        ("BDAT with a junk word", b"EHLO c\r\n", b"BDAT 0 LATER\r\n"),
    ]


IMAP_PREAUTH_LINE = 8 * 1024


def imap_cases(rng: random.Random) -> list[Case]:
    return common_cases(rng, IMAP_PREAUTH_LINE) + [
        ("no tag", b"", b"NOOP\r\n"),
        ("tag only", b"", b"a1\r\n"),
        ("unknown command", b"", b"a1 FROB\r\n"),
        ("SELECT before LOGIN", b"", b"a1 SELECT INBOX\r\n"),
        ("FETCH before LOGIN", b"", b"a1 FETCH 1:* (FLAGS)\r\n"),
        ("literal over the limit", b"", b"a1 LOGIN {9999999}\r\n"),
        ("literal size with 20 digits", b"", b"a1 LOGIN {99999999999999999999}\r\n"),
        ("literal size that overflows 64 bits", b"", b"a1 LOGIN {18446744073709551617}\r\n"),
        ("literal size with 30 digits", b"", b"a1 LOGIN {999999999999999999999999999999}\r\n"),
        ("negative literal size", b"", b"a1 LOGIN {-5}\r\n"),
        ("unbalanced parentheses", b"", b"a1 ID ((((((((((\r\n"),
        ("unterminated quote", b"", b'a1 LOGIN "alice\r\n'),
        ("bare LF between commands", b"s1 CAPABILITY\n", b"b1 FROB\n"),
        ("pipelined junk after CAPABILITY", b"s1 CAPABILITY\r\n", random_lines(rng, 2)),
        ("AUTHENTICATE with garbage", b"", b"a1 AUTHENTICATE PLAIN ***garbage***\r\n"),
        ("AUTHENTICATE response not base64", b"", b"a1 AUTHENTICATE PLAIN\r\n" + CONT + b"\xff\xfe\x00***\r\n"),
        ("AUTHENTICATE response over the limit", b"", b"a1 AUTHENTICATE PLAIN\r\n" + CONT + b"A" * 9000 + b"\r\n"),
        ("AUTHENTICATE cancelled", b"", b"a1 AUTHENTICATE PLAIN\r\n" + CONT + b"*\r\n"),
        ("STARTTLS with an argument", b"", b"a1 STARTTLS now\r\n"),
    ]


IMAP_AUTH_CASES = [
    ("FETCH without a selected mailbox", b"a1 FETCH 1 (FLAGS)\r\n"),
    ("SELECT with NUL", b"a1 SELECT \"IN\x00BOX\"\r\n"),
    ("SELECT non-UTF-8", b"a1 SELECT \"\xff\xfe\"\r\n"),
    ("APPEND literal over the limit", b"a1 APPEND INBOX {999999999999}\r\n"),
    ("APPEND non-sync literal over the limit then its bytes",
     b"a1 APPEND INBOX {%d+}\r\n" % (MESSAGE_SIZE + 1) + b"x" * (MESSAGE_SIZE + 1) + b"\r\n"),
    ("SEARCH nested too deep", b"a1 SELECT INBOX\r\na2 SEARCH " + b"(" * 200 + b"ALL" + b")" * 200 + b"\r\n"),
    ("FETCH with a bad sequence set", b"a1 SELECT INBOX\r\na2 FETCH 99999999999999999999:* FLAGS\r\n"),
    ("FETCH with garbage items", b"a1 SELECT INBOX\r\na2 FETCH 1 (BODY[1.2.3.4.5.6.7.8.9.999999999999]<0.99999999999999>)\r\n"),
    ("LOGIN again", b"a1 LOGIN alice secret\r\n"),
    ("DONE outside IDLE", b"DONE\r\n"),
    ("IDLE ended by garbage", b"a1 IDLE\r\n" + CONT + b"\xff\xfe garbage\r\n"),
    ("IDLE ended by a line over the limit", b"a1 IDLE\r\n" + CONT + b"D" * 70000 + b"\r\n"),
    ("SEARCH with an unknown charset", b"a1 SELECT INBOX\r\na2 SEARCH CHARSET X-FROB ALL\r\n"),
    ("STORE with garbage flags", b"a1 SELECT INBOX\r\na2 STORE 1 +FLAGS (\\Frob \xff [)\r\n"),
    ("FETCH with an empty header list", b"a1 SELECT INBOX\r\na2 FETCH 1 BODY[HEADER.FIELDS ()]\r\n"),
    ("ID with too many arguments", b"a1 ID (" + b'"k" "v" ' * 6000 + b")\r\n"),
    ("ENABLE garbage", b"a1 ENABLE \xff (x)\r\n"),
    ("RENAME INBOX to garbage", b'a1 RENAME INBOX "\xff\xfe/\x00"\r\n'),
    ("UID SEARCH with an overflowing number", b"a1 SELECT INBOX\r\na2 UID SEARCH UID 1:99999999999999999999\r\n"),
]


POP3_LINE = 255  # RFC 2449 4


def pop3_cases(rng: random.Random) -> list[Case]:
    return common_cases(rng, POP3_LINE) + [
        ("empty line", b"", b"\r\n"),
        ("STAT before login", b"", b"STAT\r\n"),
        ("RETR before login", b"", b"RETR 1\r\n"),
        ("PASS before USER", b"", b"PASS secret\r\n"),
        ("USER with a very long name", b"", b"USER " + b"u" * 300 + b"\r\n"),
        ("AUTH garbage", b"", b"AUTH PLAIN ***\r\n"),
        ("AUTH then garbage response", b"", b"AUTH PLAIN\r\n!!!not base64!!!\r\n"),
        ("pipelined junk after CAPA", b"CAPA\r\n", random_lines(rng, 2)),
    ]


POP3_TRANSACTION_CASES = [
    ("RETR of a number that overflows", b"RETR 99999999999999999999999\r\n"),
    ("TOP with a negative count", b"TOP 1 -1\r\n"),
    ("DELE 0", b"DELE 0\r\n"),
    ("LIST with letters", b"LIST abc\r\n"),
    ("USER again", b"USER bob\r\n"),
    ("STLS after login", b"STLS\r\n"),
]


SIEVE_LINE = 8192


def sieve_cases(rng: random.Random) -> list[Case]:
    return common_cases(rng, SIEVE_LINE) + [
        ("unknown command", b"", b"FROB\r\n"),
        ("LISTSCRIPTS before login", b"", b"LISTSCRIPTS\r\n"),
        ("PUTSCRIPT before login", b"", b'PUTSCRIPT "a" {5+}\r\nkeep;\r\n'),
        ("quoted string over 1024 octets", b"", b'AUTHENTICATE "' + b"P" * 2000 + b'"\r\n'),
        ("literal over the pre-login limit then its bytes", b"", b'AUTHENTICATE "PLAIN" {40000+}\r\n' + b"z" * 40000 + b"\r\n"),
        ("literal size that overflows", b"", b'AUTHENTICATE "PLAIN" {999999999999999999999999+}\r\n'),
        ("AUTHENTICATE with garbage", b"", b'AUTHENTICATE "PLAIN" "!!!"\r\n'),
        ("unterminated quote", b"", b'AUTHENTICATE "PLAIN\r\n'),
        ("pipelined junk after CAPABILITY", b"CAPABILITY\r\n", random_lines(rng, 2)),
    ]


NON_UTF8_TRANSACTIONS = [
    ("non-UTF-8 EHLO name", [b"EHLO \xff\xfe.example\r\n", b"MAIL FROM:<a@example.net>\r\n",
                             b"RCPT TO:<alice@example.test>\r\n", b"DATA\r\n",
                             b"Subject: x\r\n\r\nbody\r\n.\r\n"]),
    ("non-UTF-8 HELO name", [b"HELO \xc3\x28\r\n", b"MAIL FROM:<a@example.net>\r\n",
                             b"RCPT TO:<alice@example.test>\r\n", b"DATA\r\n",
                             b"Subject: x\r\n\r\nbody\r\n.\r\n"]),
    ("non-UTF-8 RCPT", [b"EHLO c\r\n", b"MAIL FROM:<a@example.net>\r\n", b"RCPT TO:<\xff@example.test>\r\n",
                        b"RCPT TO:<alice@example.test> \xfe=\xff\r\n", b"RCPT TO:<alice\x00@example.test>\r\n"]),
    ("8-bit message without 8BITMIME", [b"EHLO c\r\n", b"MAIL FROM:<a@example.net>\r\n",
                                        b"RCPT TO:<alice@example.test>\r\n", b"DATA\r\n",
                                        b"Subject: \xff\xfe\r\nFrom: \x00\r\n\r\n\xff\x00\x01\r\n.\r\n"]),
]


def sieve_literal(command: bytes, script: bytes) -> bytes:
    return command + b" {%d+}\r\n" % len(script) + script + b"\r\n"


SIEVE_AUTH_CASES = [
    ("PUTSCRIPT with a syntax error", b'PUTSCRIPT "bad" {12+}\r\nif if if ;;;\r\n'),
    ("PUTSCRIPT over the size limit then its bytes", b'PUTSCRIPT "big" {70000+}\r\n' + b"#" * 70000 + b"\r\n"),
    ("PUTSCRIPT with a name holding NUL", b'PUTSCRIPT "a\x00b" {5+}\r\nkeep;\r\n'),
    ("PUTSCRIPT with a non-UTF-8 name", b'PUTSCRIPT "\xff\xfe" {5+}\r\nkeep;\r\n'),
    ("PUTSCRIPT with a non-UTF-8 script", sieve_literal(b'PUTSCRIPT "x"', b"#\xff\xfe\r\nkeep;\r\n")),
    ("PUTSCRIPT with a bad name and a literal that reads as commands",
     sieve_literal(b'PUTSCRIPT "\x00"', b'DELETESCRIPT "x"\r\nLOGOUT\r\n')),
    ("PUTSCRIPT with junk after its literal", b'PUTSCRIPT "x" {5+}\r\nkeep;junk\r\n'),
    ("CHECKSCRIPT nested deep", sieve_literal(b"CHECKSCRIPT", b"if " + b"anyof(" * 3000 + b"true" + b")" * 3000
                                              + b" {keep;}\r\n")),
    ("CHECKSCRIPT with many nested blocks", sieve_literal(b"CHECKSCRIPT", b"if true {" * 2000 + b"keep;"
                                                          + b"}" * 2000 + b"\r\n")),
    ("GETSCRIPT of no such script", b'GETSCRIPT "nope"\r\n'),
    ("SETACTIVE of no such script", b'SETACTIVE "nope"\r\n'),
    ("HAVESPACE with an overflowing size", b'HAVESPACE "x" 99999999999999999999\r\n'),
    ("RENAMESCRIPT garbage", b'RENAMESCRIPT "\x01" ""\r\n'),
    ("AUTHENTICATE again", b'AUTHENTICATE "PLAIN" "AGFAYg=="\r\n'),
]


def _nested(depth: int) -> bytes:
    opens = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(depth))
    closes = b"".join(b"\r\n--b%d--" % i for i in reversed(range(depth)))
    return opens + b"Content-Type: text/plain\r\n\r\ndeep" + closes + b"\r\n"


def _wide(parts: int) -> bytes:
    body = b"".join(b"--w\r\nContent-Type: text/plain; name=p%d.txt\r\n\r\npart %d\r\n" % (i, i) for i in range(parts))
    return b"Content-Type: multipart/mixed; boundary=w\r\n\r\n" + body + b"--w--\r\n"


HEAD = b"From: eve@example.net\r\nTo: alice@example.test\r\nMIME-Version: 1.0\r\n"
NASTY = {  # name -> (message, a word of its Subject)
    "NUL and 8-bit garbage": (
        b"From: \x00Eve\xff <eve@example.net>\r\nTo: alice@example.test\r\nSubject: nul\x00 \xfe\xff =?utf-8?b?AAE=?=\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nbody with a NUL \x00 and \xff\xfe bytes\r\n", "nul"),
    "multiparts nested 300 deep": (HEAD + b"Subject: deepnest\r\n" + _nested(300), "deepnest"),
    "3000 parts": (HEAD + b"Subject: wideparts\r\n" + _wide(3000), "wideparts"),
    "3000 addresses": (b"From: eve@example.net\r\nSubject: manyaddr\r\nTo: "
                       + b",\r\n ".join(b'"N\xc3\xa4me %d" <r%d@example.test>' % (i, i) for i in range(3000))
                       + b"\r\n\r\nbody\r\n", "manyaddr"),
    "broken encodings": (HEAD + b"Subject: brokenenc =?x-frob?q?zz?= =?utf-8?b?!!!?= =?utf-8?q?=FF=FE?=\r\n"
                         b"Content-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\n"
                         b"Content-Type: text/plain; charset=x-frob\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                         b"!!!not base64===\r\n--a\r\nContent-Type: text/html; charset=utf-8\r\n"
                         b"Content-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=F=\r\n<b>=FF\r\n--a--\r\n", "brokenenc"),
    "a 100 KB header line": (HEAD + b"Subject: longhead " + b"L" * 100_000 + b"\r\n\r\nbody\r\n", "longhead"),
    "no header-body separator": (b"Subject: nosep\r\nFrom: eve@example.net", "nosep"),
}


PG = "Ping:"
PING_CASES = [
    ("no folders, heartbeat not a number", E(PG + "Ping", E(PG + "HeartbeatInterval", text="abc"))),
    ("negative heartbeat", E(PG + "Ping", E(PG + "HeartbeatInterval", text="-1"), E(PG + "Folders", E(
        PG + "Folder", E(PG + "Id", text="1"), E(PG + "Class", text="Email"))))),
    ("heartbeat below the minimum", E(PG + "Ping", E(PG + "HeartbeatInterval", text="1"), E(PG + "Folders", E(
        PG + "Folder", E(PG + "Id", text="1"), E(PG + "Class", text="Email"))))),
    ("heartbeat that overflows", E(PG + "Ping", E(PG + "HeartbeatInterval", text="99999999999999999999"))),
    ("folders that do not exist", E(PG + "Ping", E(PG + "HeartbeatInterval", text="60"), E(PG + "Folders", *[
        E(PG + "Folder", E(PG + "Id", text=f"9999{i}"), E(PG + "Class", text="Email")) for i in range(3)]))),
    ("too many folders", E(PG + "Ping", E(PG + "HeartbeatInterval", text="60"), E(PG + "Folders", *[
        E(PG + "Folder", E(PG + "Id", text=str(i)), E(PG + "Class", text="Email")) for i in range(2000)]))),
    ("folder without an id", E(PG + "Ping", E(PG + "Folders", E(PG + "Folder", E(PG + "Class", text="\u00ff"))))),
]


SENDMAIL_CASES = [
    ("no recipients", b"From: alice@example.test\r\nSubject: x\r\n\r\nbody\r\n"),
    ("too many recipients", b"From: alice@example.test\r\nTo: "
     + b", ".join(b"r%d@example.test" % i for i in range(300)) + b"\r\n\r\nbody\r\n"),
    ("a sender not owned", b"From: ceo@example.test\r\nTo: alice@example.test\r\n\r\nbody\r\n"),
    ("recipient with NUL and non-UTF-8", b"To: a\x00b@example.test, \xff\xfe@example.test\r\n\r\nbody\r\n"),
    ("not a message at all", bytes(random.Random(f"{SEED}-sendmail").randrange(256) for _ in range(500))),
    ("empty", b""),
]


AD_PATH = "/autodiscover/autodiscover.xml"
AD_REQ = ('<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/'
          'requestschema/2006"><Request><EMailAddress>{}</EMailAddress><AcceptableResponseSchema>'
          'http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006</AcceptableResponseSchema>'
          '</Request></Autodiscover>')
XXE = ('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       + AD_REQ.split("?>", 1)[1].format("&x;")).encode()
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY l "lollollollollol">'
          + "".join(f'<!ENTITY l{i} "{("&l;" if i == 0 else f"&l{i - 1};") * 10}">' for i in range(9))
          + "]>" + AD_REQ.split("?>", 1)[1].format("&l8;")).encode()
