"""The client side of tests/servers/test_wire_garbage.py: a line-level socket client,
what each protocol's replies look like, the pipelined exchange that checks them,
well-behaved clients that must still work after each hostile input, and the
ActiveSync request trees (random, and valid templates to mutate)."""

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
