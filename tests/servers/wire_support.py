"""The client side of tests/servers/test_wire_garbage.py: a line-level socket client,
what each protocol's replies look like, the pipelined exchange that checks them,
well-behaved clients that must still work after each hostile input, and the
ActiveSync request trees (random, and valid templates to mutate); then the hostile inputs
per protocol, bounded and seeded (the same bytes on every run)."""

from __future__ import annotations

import base64
import http.client
import imaplib
import poplib
import random
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from postvak.protocols.activesync import WbxmlError, decode
from postvak.protocols.activesync.codepages import page_for
from postvak.protocols.activesync.element import E, Element
from tests.support.server import RunningServer

USER, PASSWORD = "alice@example.test", "alice-secret-1"
TIMEOUT = 15.0  # a reply that does not come within this is a hung session


# --- a line-level client -----------------------------------------------------------------------
class Wire:
    def __init__(self, srv: RunningServer, listener: str, tls: bool) -> None:
        sock = socket.create_connection(("127.0.0.1", srv.port(listener)), timeout=TIMEOUT)
        self.sock: socket.socket = srv.client_tls_context().wrap_socket(sock) if tls else sock
        self.buf = b""
        self.eof = False

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> bytes | None:
        """The next line without CRLF; None once the server has closed."""
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, ssl.SSLEOFError, BrokenPipeError):
                chunk = b""
            if not chunk:
                self.eof = True
                if self.buf:
                    rest, self.buf = self.buf, b""
                    return rest
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass  # the server closed it first: nothing left to close


@dataclass(frozen=True)
class Proto:
    """What a protocol's replies look like, for the generic checks below."""

    name: str
    greet: Callable[[Wire], None]
    sync: bytes  # a harmless command whose success reply ends the check
    is_sync_ok: Callable[[bytes], bool]
    is_error: Callable[[bytes], bool]
    is_closing: Callable[[bytes], bool]  # an error reply after which closing is allowed
    setup_done: Callable[[bytes], bool]  # the last reply line of a case's valid setup command
    is_continuation: Callable[[bytes], bool] = lambda line: False  # e.g. a SASL challenge


# SMTP: RFC 2034 3 - with ENHANCEDSTATUSCODES every 4xx/5xx reply carries class.subject.detail.
_SMTP_ERR = re.compile(rb"^[45]\d\d[ -][45]\.\d{1,3}\.\d{1,3}( |$)")


def _smtp_greet(w: Wire) -> None:
    line = w.line()
    assert line is not None and line.startswith(b"220 "), line


SMTP = Proto("smtp", _smtp_greet, b"NOOP\r\n",
             is_sync_ok=lambda line: line.startswith(b"250 "),
             is_error=lambda line: bool(_SMTP_ERR.match(line)),
             is_closing=lambda line: line[:3] in (b"421", b"502", b"554"),
             setup_done=lambda line: line.startswith(b"250 "),  # the setups are EHLO
             is_continuation=lambda line: line.startswith(b"334 "))


def _imap_greet(w: Wire) -> None:
    line = w.line()
    assert line is not None and line.startswith(b"* OK"), line


def _imap_error(line: bytes) -> bool:
    # RFC 9051 7.1: tagged BAD/NO, untagged BAD; untagged BYE before a close.
    if line.startswith(b"* "):
        return line[2:6] in (b"BAD ", b"BYE ") or line[2:5] == b"NO "
    parts = line.split(b" ", 2)
    return len(parts) >= 2 and parts[1] in (b"BAD", b"NO")


IMAP = Proto("imap", _imap_greet, b"zz9 NOOP\r\n",
             is_sync_ok=lambda line: line.startswith(b"zz9 OK"),
             is_error=_imap_error,
             is_closing=lambda line: line.startswith(b"* BYE "),
             setup_done=lambda line: line.startswith(b"s1 OK"),
             is_continuation=lambda line: line.startswith(b"+ "))


def _pop3_greet(w: Wire) -> None:
    line = w.line()
    assert line is not None and line.startswith(b"+OK"), line


POP3 = Proto("pop3", _pop3_greet, b"CAPA\r\n",
             is_sync_ok=lambda line: line.startswith(b"+OK"),
             is_error=lambda line: line.startswith(b"-ERR"),
             is_closing=lambda line: line.startswith(b"-ERR"),
             setup_done=lambda line: line == b".",  # the setups are CAPA
             is_continuation=lambda line: line.startswith(b"+ "))


def _sieve_greet(w: Wire) -> None:
    for _ in range(50):  # RFC 5804 1.7: the greeting is the capability list, ended by OK
        line = w.line()
        assert line is not None, "closed during greeting"
        if line.startswith(b"OK"):
            return
    raise AssertionError("no OK after 50 greeting lines")


_literal_tail = re.compile(rb"\{\d+\+?\}$")


def _sieve_error(line: bytes) -> bool:
    return line.startswith((b"NO", b"BYE"))


SIEVE = Proto("managesieve", _sieve_greet, b"NOOP\r\n",
              is_sync_ok=lambda line: line.startswith(b"OK"),
              is_error=_sieve_error,
              is_closing=lambda line: line.startswith(b"BYE"),
              setup_done=lambda line: line.startswith(b"OK"),
              # a SASL challenge is a string; so are the lines of a NO's literal text
              is_continuation=lambda line: not line.startswith((b"OK", b"NO", b"BYE")))


CONT = b"<+>"  # in a payload: wait for the server's continuation request, then send the rest


def send_parts(w: Wire, proto: Proto, first: bytes, payload: bytes, seen: list[bytes]) -> None:
    """Send ``first`` + the payload, waiting at each CONT for the continuation request (as a
    client must for AUTHENTICATE and IDLE); the sync command follows the last part."""
    parts = payload.split(CONT)
    try:
        w.send(first + parts[0] + (proto.sync if len(parts) == 1 else b""))
    except OSError:
        return  # closed while sending: the replies read after this must say why
    for i, part in enumerate(parts[1:], 2):
        for _ in range(100):
            line = w.line()
            assert line is not None, f"{proto.name}: closed before the continuation request"
            if proto.is_continuation(line):
                break
            seen.append(line)
        w.send(part + (proto.sync if i == len(parts) else b""))


def exchange(w: Wire, proto: Proto, setup: bytes, payload: bytes) -> list[bytes]:
    """Send a valid setup command, the payload and the sync command in one write (pipelined);
    after the setup's replies, those before the sync's answer must all be errors, or the
    server closes after its closing error reply. Returns them."""
    seen: list[bytes] = []
    if setup:
        w.send(setup)
        for _ in range(100):
            line = w.line()
            assert line is not None, f"{proto.name}: closed after the setup {setup!r}"
            if proto.setup_done(line):
                break
        else:
            raise AssertionError(f"{proto.name}: no end to the reply to {setup!r}")
    send_parts(w, proto, b"", payload, seen)
    for line in seen:
        assert proto.is_error(line), f"{proto.name}: {line!r} is not an error reply (input {payload[:80]!r})"
    for _ in range(10_000):
        line = w.line()
        if line is None:
            errors = [x for x in seen if proto.is_error(x)]
            assert errors and proto.is_closing(errors[-1]), \
                f"{proto.name}: closed without a closing error reply after {payload[:80]!r}: {seen[-5:]!r}"
            return seen
        if proto.is_sync_ok(line):
            return seen
        seen.append(line)
        assert proto.is_error(line) or proto.is_continuation(line), \
            f"{proto.name}: {line!r} is not an error reply (input {payload[:80]!r})"
    raise AssertionError(f"{proto.name}: more than 10000 reply lines")


# --- well-behaved clients: a NEW connection still works ---------------------------------------------
def smtp_healthy(srv: RunningServer, listener: str) -> None:
    if listener == "smtp":
        client = smtplib.SMTP("127.0.0.1", srv.port(listener), local_hostname="client.example.net", timeout=TIMEOUT)
        client.ehlo()
        assert client.mail("someone@example.net")[0] == 250
        assert client.rcpt(USER)[0] == 250
        assert client.rset()[0] == 250
    else:
        if listener == "submissions":
            client = smtplib.SMTP_SSL("127.0.0.1", srv.port(listener), context=srv.client_tls_context(),
                                      timeout=TIMEOUT)
        else:
            client = smtplib.SMTP("127.0.0.1", srv.port(listener), timeout=TIMEOUT)
        client.login(USER, PASSWORD)
        assert client.mail(USER)[0] == 250
        assert client.rset()[0] == 250
    client.quit()


def imap_healthy(srv: RunningServer, listener: str) -> None:
    if listener == "imaps":
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL("127.0.0.1", srv.port(listener),
                                                  ssl_context=srv.client_tls_context(), timeout=TIMEOUT)
    else:
        client = imaplib.IMAP4("127.0.0.1", srv.port(listener), timeout=TIMEOUT)
    client.login(USER, PASSWORD)
    assert client.select("INBOX")[0] == "OK"
    assert client.noop()[0] == "OK"
    client.logout()


def pop3_healthy(srv: RunningServer, listener: str) -> None:
    if listener == "pop3s":
        client: poplib.POP3 = poplib.POP3_SSL("127.0.0.1", srv.port(listener), context=srv.client_tls_context(),
                                              timeout=TIMEOUT)
    else:
        client = poplib.POP3("127.0.0.1", srv.port(listener), timeout=TIMEOUT)
    client.user(USER)
    client.pass_(PASSWORD)
    client.stat()
    assert client.noop().startswith(b"+OK")
    client.quit()


def sieve_healthy(srv: RunningServer, listener: str = "managesieve") -> None:
    w = Wire(srv, listener, tls=False)
    try:
        _sieve_greet(w)
        token = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
        w.send(f'AUTHENTICATE "PLAIN" "{token}"\r\n'.encode())
        line = w.line()
        assert line is not None and line.startswith(b"OK"), line
        w.send(b"LISTSCRIPTS\r\n")
        for _ in range(100):
            line = w.line()
            assert line is not None, "closed during LISTSCRIPTS"
            if line.startswith((b"OK", b"NO", b"BYE")):
                break
        assert line.startswith(b"OK"), line
        w.send(b"LOGOUT\r\n")
        assert (w.line() or b"").startswith(b"OK")
    finally:
        w.close()


HEALTHY: dict[str, Callable[[RunningServer, str], None]] = {
    "smtp": smtp_healthy, "submission": smtp_healthy, "submissions": smtp_healthy,
    "imap": imap_healthy, "imaps": imap_healthy,
    "pop3": pop3_healthy, "pop3s": pop3_healthy,
    "managesieve": sieve_healthy,
}
PROTO = {"smtp": SMTP, "submission": SMTP, "submissions": SMTP, "imap": IMAP, "imaps": IMAP,
         "pop3": POP3, "pop3s": POP3, "managesieve": SIEVE}
TLS_LISTENERS = {"submissions", "imaps", "pop3s", "https"}


# --- the hostile inputs -----------------------------------------------------------------------
def client_hello() -> bytes:
    """The first flight of a real TLS client, as a client would send it to a plain port."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="mail.example.test")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass  # expected: the ClientHello is written, the handshake would wait for the server
    hello = outgoing.read()
    assert hello[:1] == b"\x16"
    return hello


def random_lines(rng: random.Random, count: int, avoid: bytes = b"{") -> bytes:
    """Random byte lines ending in CRLF. ``avoid`` keeps literal announcements out, so the
    sync command after them is read as a command (literals have their own cases)."""
    out = []
    for _ in range(count):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        for b in avoid + b"\r\n":
            raw = raw.replace(bytes([b]), b"x")
        out.append(raw + b"\r\n")
    return b"".join(out)


# --- ActiveSync ---------------------------------------------------------------------------------
def auth_header() -> str:
    return "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def eas(srv: RunningServer, method: str, path: str, body: bytes = b"",
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPSConnection("127.0.0.1", srv.port("https"), context=srv.client_tls_context(),
                                       timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def eas_healthy(srv: RunningServer) -> None:
    status, headers, _ = eas(srv, "OPTIONS", "/Microsoft-Server-ActiveSync",
                             headers={"Authorization": auth_header()})
    assert status == 200 and "ms-asprotocolversions" in headers


def eas_error(status: int, body: bytes) -> bool:
    """[MS-ASHTTP] 3.2.5.1: an HTTP error, or 200 with a WBXML body whose Status is not 1."""
    if 400 <= status < 500:
        return True
    if status != 200 or not body:
        return False
    try:
        tree = decode(body)
    except WbxmlError:
        return False
    text = repr(tree)
    found = re.findall(r"Status[^0-9]{0,40}?(\d+)", text)
    return bool(found) and found[0] != "1"


# --- ActiveSync request trees ---------------------------------------------------------------
TEXTS = ["", "0", "1", "-1", "99999999999999999999", "1:1", "1:2:3", "INBOX", "\x01\x7f", "\u00ff\ufffd",
         "a" * 300, "2026-13-45T99:99:99.000Z", "{}", "<x/>", "alice@example.test", "\r\n.\r\n"]
SKIPPED_TAGS = {"Wait", "HeartbeatInterval"}  # long polls: a parked request is no error


def random_tree(rng: random.Random, tag: str, depth: int) -> Element:
    """A structurally random request tree: tags from the root's code page and a few others."""
    if depth == 0 or rng.random() < 0.25:
        if rng.random() < 0.15:
            return Element(tag, opaque=bytes(rng.randrange(256) for _ in range(rng.randrange(40))))
        return Element(tag, text=rng.choice(TEXTS))
    namespaces = [tag.partition(":")[0], "AirSync", "AirSyncBase", "Email", "FolderHierarchy"]
    children = []
    for _ in range(rng.randrange(1, 5)):
        cp = page_for(rng.choice(namespaces))
        assert cp is not None
        name = rng.choice([n for n in cp.by_name if n not in SKIPPED_TAGS])
        children.append(random_tree(rng, f"{cp.namespace}:{name}", depth - 1))
    return Element(tag, tuple(children))


def templates(st: dict[str, str]) -> dict[str, Element]:
    """One valid request per command, with the server's real ids."""
    A, B, C, F = "AirSync:", "AirSyncBase:", "ComposeMail:", "FolderHierarchy:"
    mime = f"From: {USER}\r\nTo: {USER}\r\nSubject: mutant\r\n\r\nhello\r\n".encode()
    return {
        "Sync": E(A + "Sync", E(A + "Collections", E(
            A + "Collection", E(A + "SyncKey", text=st["key"]), E(A + "CollectionId", text=st["inbox"]),
            E(A + "GetChanges", text=1), E(A + "WindowSize", text=10),
            E(A + "Options", E(A + "FilterType", text=0), E(B + "BodyPreference", E(B + "Type", text=2),
                                                          E(B + "TruncationSize", text=500))),
            E(A + "Commands", E(A + "Fetch", E(A + "ServerId", text=st["item"])),
              E(A + "Change", E(A + "ServerId", text=st["item"]), E(A + "ApplicationData", E("Email:Read", text=1))))))),
        "ItemOperations": E("ItemOperations:ItemOperations", E(
            "ItemOperations:Fetch", E("ItemOperations:Store", text="Mailbox"), E(A + "CollectionId", text=st["inbox"]),
            E(A + "ServerId", text=st["item"]),
            E("ItemOperations:Options", E(B + "BodyPreference", E(B + "Type", text=4))))),
        "MoveItems": E("Move:MoveItems", E("Move:Move", E("Move:SrcMsgId", text=st["item"]),
                                           E("Move:SrcFldId", text=st["inbox"]), E("Move:DstFldId", text=st["inbox"]))),
        "GetItemEstimate": E("GetItemEstimate:GetItemEstimate", E("GetItemEstimate:Collections", E(
            "GetItemEstimate:Collection", E(A + "SyncKey", text=st["key"]),
            E("GetItemEstimate:CollectionId", text=st["inbox"])))),
        "FolderCreate": E(F + "FolderCreate", E(F + "SyncKey", text="1"), E(F + "ParentId", text="0"),
                          E(F + "DisplayName", text="Mutant"), E(F + "Type", text=12)),
        "FolderUpdate": E(F + "FolderUpdate", E(F + "SyncKey", text="1"), E(F + "ServerId", text=st["other"]),
                          E(F + "ParentId", text="0"), E(F + "DisplayName", text="Renamed")),
        "Search": E("Search:Search", E("Search:Store", E("Search:Name", text="Mailbox"), E(
            "Search:Query", E("Search:And", E(A + "CollectionId", text=st["inbox"]), E("Search:FreeText", text="body"))),
            E("Search:Options", E("Search:Range", text="0-9")))),
        "SmartReply": E(C + "SmartReply", E(C + "ClientId", text="m1"), E(C + "Source", E(
            C + "FolderId", text=st["inbox"]), E(C + "ItemId", text=st["item"])), E(C + "Mime", opaque=mime)),
        "SendMail": E(C + "SendMail", E(C + "ClientId", text="m2"), E(C + "Mime", opaque=mime)),
        "Settings": E("Settings:Settings", E("Settings:Oof", E("Settings:Get", E("Settings:BodyType", text="Text"))),
                      E("Settings:UserInformation", E("Settings:Get"))),
        "ResolveRecipients": E("ResolveRecipients:ResolveRecipients", E("ResolveRecipients:To", text=USER),
                               E("ResolveRecipients:Options", E("ResolveRecipients:MaxAmbiguousRecipients", text=5))),
        "Provision": E("Provision:Provision", E("Provision:Policies", E(
            "Provision:Policy", E("Provision:PolicyType", text="MS-EAS-Provisioning-WBXML")))),
    }


def mutate(rng: random.Random, el: Element) -> Element:
    """One change somewhere in the tree: a leaf's value, a subtree dropped, emptied or doubled."""
    if not el.children:
        if rng.random() < 0.2:
            return Element(el.tag, opaque=bytes(rng.randrange(256) for _ in range(rng.randrange(30))))
        return Element(el.tag, text=rng.choice(TEXTS))
    i = rng.randrange(len(el.children))
    kids = list(el.children)
    roll = rng.random()
    if roll < 0.5:
        kids[i] = mutate(rng, kids[i])
    elif roll < 0.65:
        del kids[i]
    elif roll < 0.8:
        kids.insert(i, kids[i])
    else:
        kids[i] = Element(kids[i].tag)
    return Element(el.tag, tuple(kids))


# --- the hostile inputs, per protocol (seeded: the same bytes on every run) ----------------------
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
