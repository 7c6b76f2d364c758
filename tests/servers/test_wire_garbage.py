"""Hostile bytes over real sockets against one running `postvak serve`.

Every listener (SMTP 25/587/465, IMAP 143/993, POP3 110/995, ManageSieve 4190 and
the ActiveSync HTTPS endpoint) gets a bounded, seeded list of bad inputs. After
each one the reply must be the protocol's error form, the session must still
answer (or close with the protocol's closing reply), and a NEW connection must
log in and do a normal command. At the end the server's log holds no traceback.

The in-process fuzz tests (tests/servers/*/test_*fuzz*) drive sessions without
sockets; this module adds what only the running server shows: the adapters,
TLS, aiosmtpd and twisted.web in front of the sessions. The inputs and the
client side (framing, reply forms, well-behaved clients) are in wire_support.py.
"""

from __future__ import annotations

import base64
import imaplib
import poplib
import random
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator

import pytest

from postvak.protocols.activesync import decode, encode
from postvak.protocols.activesync.codepages import CODE_PAGES
from postvak.protocols.activesync.element import E, Element
from tests.servers.smtp.dns_responder import DnsResponder
from tests.servers.wire_support import (
    AD_PATH,
    AD_REQ,
    HEALTHY,
    IMAP,
    IMAP_AUTH_CASES,
    LAUGHS,
    MESSAGE_SIZE,
    NASTY,
    NON_UTF8_TRANSACTIONS,
    PASSWORD,
    PING_CASES,
    POP3,
    POP3_TRANSACTION_CASES,
    PROTO,
    SEED,
    SENDMAIL_CASES,
    SIEVE,
    SIEVE_AUTH_CASES,
    SMTP,
    TIMEOUT,
    TLS_LISTENERS,
    USER,
    XXE,
    Case,
    Wire,
    auth_header,
    eas,
    eas_error,
    eas_healthy,
    exchange,
    imap_cases,
    imap_healthy,
    mutate,
    pop3_cases,
    pop3_healthy,
    random_tree,
    send_parts,
    sieve_cases,
    sieve_healthy,
    smtp_cases,
    smtp_healthy,
    templates,
)
from tests.support.server import RunningServer

pytestmark = pytest.mark.e2e

EAS_QUERY = "Cmd=FolderSync&User=alice@example.test&DeviceId=WIREGARBAGE1&DeviceType=TestDevice"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    dns = DnsResponder()  # an empty zone: SPF/DMARC lookups get NXDOMAIN at once
    server = RunningServer(tmp_path_factory.mktemp("wire"), env={
        "POSTVAK_DNS__NAMESERVERS": '["127.0.0.1"]',
        "POSTVAK_DNS__PORT": str(dns.port),
        "POSTVAK_DNS__TIMEOUT": "1.0",
        "POSTVAK_LIMITS__MESSAGE_SIZE": str(MESSAGE_SIZE),
        # Requests from an unprovisioned device would stop at the policy check (449); garbage
        # is to reach the command handlers.
        "POSTVAK_ACTIVESYNC__REQUIRE_PROVISIONING": "false",
    })
    try:
        server.add_user(USER, PASSWORD)
        yield server
    finally:
        code = server.stop()
        dns.close()
        assert code == 0, server.log_since_start()


def run_case(srv: RunningServer, listener: str, setup: bytes, payload: bytes) -> list[bytes]:
    proto = PROTO[listener]
    w = Wire(srv, listener, tls=listener in TLS_LISTENERS)
    try:
        proto.greet(w)
        seen = exchange(w, proto, setup, payload)
    finally:
        w.close()
    HEALTHY[listener](srv, listener)
    return seen


def _params(listeners: list[str], make: Callable[[random.Random], list[Case]]) -> list[object]:
    out: list[object] = []
    for listener in listeners:
        rng = random.Random(f"{SEED}-{listener}")
        for name, setup, payload in make(rng):
            out.append(pytest.param(listener, setup, payload, id=f"{listener}-{name}"))
    return out


# --- SMTP ---------------------------------------------------------------------------------------
GARBAGE = (_params(["smtp", "submission", "submissions"], smtp_cases) + _params(["imap", "imaps"], imap_cases)
           + _params(["pop3", "pop3s"], pop3_cases) + _params(["managesieve"], sieve_cases))


@pytest.mark.parametrize(("listener", "setup", "payload"), GARBAGE)
def test_garbage_gets_the_protocols_error_reply(srv: RunningServer, listener: str, setup: bytes, payload: bytes) -> None:
    """SMTP 5xx/4xx with an enhanced status code, IMAP BAD or NO (before login), POP3 -ERR,
    ManageSieve NO; then the listener still serves a new connection (run_case)."""
    run_case(srv, listener, setup, payload)


def test_smtp_data_with_bare_lf_and_junk_after_the_dot(srv: RunningServer) -> None:
    w = Wire(srv, "smtp", tls=False)
    try:
        SMTP.greet(w)
        w.send(b"EHLO c\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n")
        replies = [w.line() for _ in range(5)]  # EHLO is multi-line: read to the 354
        while not (replies[-1] or b"").startswith(b"354"):
            replies.append(w.line())
            assert len(replies) < 30, replies
        w.send(b"Subject: x\r\n\r\nbare\nLF\r\n.\r\nFROB\r\n\x00\x01\r\n")
        for _ in range(3):
            line = w.line()
            assert line is not None and SMTP.is_error(line), line
    finally:
        w.close()
    smtp_healthy(srv, "smtp")


def smtp_replies(w: Wire) -> list[bytes]:
    """One reply, all its lines."""
    lines = []
    for _ in range(50):
        line = w.line()
        assert line is not None, f"closed after {lines!r}"
        lines.append(line)
        if line[3:4] != b"-":
            return lines
    raise AssertionError(f"no end to the reply {lines!r}")


@pytest.mark.parametrize("commands", [pytest.param(c, id=n) for n, c in NON_UTF8_TRANSACTIONS])
def test_smtp_transaction_with_non_utf8_bytes(srv: RunningServer, commands: list[bytes]) -> None:
    """Each command gets a reply; refusals carry an enhanced code and none is the 451 of a
    server bug (handle_exception)."""
    w = Wire(srv, "smtp", tls=False)
    try:
        SMTP.greet(w)
        for command in commands:
            w.send(command)
            reply = smtp_replies(w)
            code = reply[-1][:3]
            assert code != b"451", (command, reply)
            if code[:1] in (b"4", b"5"):
                assert SMTP.is_error(reply[-1]), (command, reply)
            if code == b"354":
                continue
        w.send(b"QUIT\r\n")
        assert smtp_replies(w)[-1].startswith(b"221 ")
    finally:
        w.close()
    smtp_healthy(srv, "smtp")


def test_smtp_message_over_the_size_limit_and_too_many_recipients(srv: RunningServer) -> None:
    w = Wire(srv, "smtp", tls=False)
    try:
        SMTP.greet(w)
        w.send(b"EHLO c\r\n")
        smtp_replies(w)
        w.send(b"MAIL FROM:<a@example.net>\r\n")
        assert smtp_replies(w)[-1].startswith(b"250 ")
        codes = []
        for _ in range(105):  # [submission] max_recipients_per_message and the MX cap: 100
            w.send(b"RCPT TO:<alice@example.test>\r\n")
            codes.append(smtp_replies(w)[-1])
        assert all(c.startswith(b"250 ") for c in codes[:100]) and all(SMTP.is_error(c) for c in codes[100:]), codes[99:]
        w.send(b"DATA\r\n")
        assert smtp_replies(w)[-1].startswith(b"354")
        w.send(b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * (MESSAGE_SIZE // 1000 + 10) + b".\r\n")
        reply = smtp_replies(w)[-1]
        assert reply.startswith(b"552 5.3.4"), reply
        w.send(b"MAIL FROM:<a@example.net>\r\nRCPT TO:<alice@example.test>\r\n")
        assert smtp_replies(w)[-1].startswith(b"250 ") and smtp_replies(w)[-1].startswith(b"250 ")
        w.send(b"BDAT %d LAST\r\n" % (MESSAGE_SIZE + 10) + b"y" * (MESSAGE_SIZE + 10))
        reply = smtp_replies(w)[-1]
        assert reply.startswith(b"552 5.3.4"), reply
        w.send(b"NOOP\r\n")
        assert smtp_replies(w)[-1].startswith(b"250 ")
    finally:
        w.close()
    smtp_healthy(srv, "smtp")


HALF_SENT = [
    ("smtp", b"EHL"), ("smtp", b"EHLO c\r\nMAIL FROM:<a@exa"), ("smtp", b"EHLO c\r\nBDAT 100 LAST\r\nabc"),
    ("submission", b"EHL"), ("submission", b"EHLO c\r\nMAIL FROM:<a@exa"),
    ("submission", b"EHLO c\r\nBDAT 100 LAST\r\nabc"),
    ("imaps", b"a1 LOGIN alice@exa"), ("pop3", b"USER alice@exam"),
    ("managesieve", b'AUTHENTICATE "PLAIN" {100+}\r\nabc'),
]


@pytest.mark.parametrize(("listener", "half"), HALF_SENT)
def test_half_sent_command_then_close(srv: RunningServer, listener: str, half: bytes) -> None:
    w = Wire(srv, listener, tls=listener in TLS_LISTENERS)
    PROTO[listener].greet(w)
    w.send(half)
    w.close()
    HEALTHY[listener](srv, listener)


def test_smtp_half_sent_data_then_close(srv: RunningServer) -> None:
    w = Wire(srv, "smtp", tls=False)
    SMTP.greet(w)
    w.send(b"EHLO c\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n")
    for _ in range(30):
        line = w.line()
        assert line is not None
        if line.startswith(b"354"):
            break
    w.send(b"Subject: half\r\n\r\nhalf a bo")
    w.close()
    smtp_healthy(srv, "smtp")


# --- IMAP ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("listener", "payload"),
                         [pytest.param(lst, p, id=f"{lst}-{n}") for lst in ("imap", "imaps") for n, p in IMAP_AUTH_CASES])
def test_imap_garbage_after_login_gets_bad_or_no(srv: RunningServer, listener: str, payload: bytes) -> None:
    proto = IMAP
    w = Wire(srv, listener, tls=listener in TLS_LISTENERS)
    try:
        proto.greet(w)
        w.send(f"zz0 LOGIN {USER} {PASSWORD}\r\n".encode())
        for _ in range(5):
            line = w.line()
            assert line is not None
            if line.startswith(b"zz0 "):
                break
        assert line.startswith(b"zz0 OK"), line
        ok_untagged = re.compile(rb"^\* (\d+ (EXISTS|RECENT)|OK \[|FLAGS )")
        seen: list[bytes] = []
        send_parts(w, proto, b"", payload, seen)
        for _ in range(1000):
            line = w.line()
            assert line is not None, "closed"
            if proto.is_sync_ok(line):
                break
            if ok_untagged.match(line) or line.startswith((b"a1 OK [READ-WRITE]", b"+ ")):
                continue  # the SELECT some cases start with
            assert proto.is_error(line), line
    finally:
        w.close()
    imap_healthy(srv, listener)


def _imap_lines_until(w: Wire, tag: bytes) -> list[bytes]:
    lines: list[bytes] = []
    for _ in range(50):
        line = w.line()
        assert line is not None, lines
        lines.append(line)
        if line.startswith(tag + b" "):
            return lines
    raise AssertionError(lines)


def test_imap_lines_sent_before_the_continuation_request_answer_it(srv: RunningServer) -> None:
    """AUTHENTICATE's response and IDLE's DONE in the same packet as the command (the client
    did not wait for "+ "): answered in order over TLS, no session left waiting."""
    w = Wire(srv, "imaps", tls=True)
    try:
        IMAP.greet(w)
        plain = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode())
        w.send(b"a1 AUTHENTICATE PLAIN\r\n" + plain + b"\r\na2 SELECT INBOX\r\n")
        assert _imap_lines_until(w, b"a1")[-1].startswith(b"a1 OK")
        assert _imap_lines_until(w, b"a2")[-1].startswith(b"a2 OK")
        w.send(b"a3 IDLE\r\nDONE\r\na4 NOOP\r\n")
        lines = _imap_lines_until(w, b"a3")
        assert lines[0].startswith(b"+ ") and lines[-1].startswith(b"a3 OK"), lines
        assert _imap_lines_until(w, b"a4")[-1].startswith(b"a4 OK")
    finally:
        w.close()
    imap_healthy(srv, "imaps")


def test_imap_literal_announced_then_half_sent_then_close(srv: RunningServer) -> None:
    w = Wire(srv, "imap", tls=False)
    IMAP.greet(w)
    w.send(b"a1 LOGIN {10}\r\n")
    assert (w.line() or b"").startswith(b"+ ")
    w.send(b"ali")
    w.close()
    imap_healthy(srv, "imap")


# --- POP3 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("listener", "payload"),
                         [pytest.param(lst, p, id=f"{lst}-{n}") for lst in ("pop3", "pop3s")
                          for n, p in POP3_TRANSACTION_CASES])
def test_pop3_garbage_after_login_gets_err(srv: RunningServer, listener: str, payload: bytes) -> None:
    w = Wire(srv, listener, tls=listener in TLS_LISTENERS)
    try:
        POP3.greet(w)
        w.send(f"USER {USER}\r\nPASS {PASSWORD}\r\n".encode())
        assert (w.line() or b"").startswith(b"+OK")
        assert (w.line() or b"").startswith(b"+OK")
        w.send(payload + b"NOOP\r\n")
        line = w.line()
        assert line is not None and line.startswith(b"-ERR"), line
        assert (w.line() or b"").startswith(b"+OK")
    finally:
        w.close()
    pop3_healthy(srv, listener)


# --- ManageSieve --------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", [pytest.param(p, id=n) for n, p in SIEVE_AUTH_CASES])
def test_managesieve_garbage_after_login_gets_no(srv: RunningServer, payload: bytes) -> None:
    w = Wire(srv, "managesieve", tls=False)
    try:
        SIEVE.greet(w)
        token = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
        w.send(f'AUTHENTICATE "PLAIN" "{token}"\r\n'.encode())
        assert (w.line() or b"").startswith(b"OK")
        seen = exchange(w, SIEVE, b"", payload)
        # one command, one NO: nothing of a refused command (its literal above all) runs
        assert len([line for line in seen if SIEVE.is_error(line)]) == 1, seen
    finally:
        w.close()
    sieve_healthy(srv)


def assert_nothing_in_the_clear(sock: socket.socket) -> None:
    """Read to the close: nothing in the clear, at most a TLS alert record (content type 21)."""
    got = b""
    for _ in range(100):
        try:
            chunk = sock.recv(4096)
        except (ConnectionResetError, BrokenPipeError):
            break
        if not chunk:
            break
        got += chunk
    assert got == b"" or got[:1] == b"\x15", got[:100]


# --- TLS ports: plain text where TLS is expected ---------------------------------------------------
@pytest.mark.parametrize("listener", ["submissions", "imaps", "pop3s", "https"])
def test_plain_text_on_a_tls_port_is_closed(srv: RunningServer, listener: str) -> None:
    sock = socket.create_connection(("127.0.0.1", srv.port(listener)), timeout=TIMEOUT)
    try:
        sock.sendall(b"a1 LOGIN alice secret\r\nEHLO x\r\nGET / HTTP/1.0\r\n\r\n")
        assert_nothing_in_the_clear(sock)
    finally:
        sock.close()
    if listener == "https":
        eas_healthy(srv)
    else:
        HEALTHY[listener](srv, listener)


STARTTLS = {
    "smtp": (b"EHLO c\r\nSTARTTLS\r\n", b"220 "),
    "submission": (b"EHLO c\r\nSTARTTLS\r\n", b"220 "),
    "imap": (b"a1 STARTTLS\r\n", b"a1 OK"),
    "pop3": (b"STLS\r\n", b"+OK"),
    "managesieve": (b"STARTTLS\r\n", b"OK"),
}


@pytest.mark.parametrize("listener", list(STARTTLS))
def test_plain_text_after_starttls_is_closed(srv: RunningServer, listener: str) -> None:
    """The server waits for a TLS handshake; plain text instead ends the connection (at most
    a TLS alert goes back, no reply in the clear)."""
    command, ok = STARTTLS[listener]
    w = Wire(srv, listener, tls=False)
    try:
        PROTO[listener].greet(w)
        w.send(command)
        for _ in range(30):
            line = w.line()
            assert line is not None, "closed before the STARTTLS reply"
            if line.startswith(ok):
                break
        assert w.buf == b""
        w.send(b"a1 LOGIN alice secret\r\nQUIT\r\n" * 3)
        assert_nothing_in_the_clear(w.sock)
    finally:
        w.close()
    HEALTHY[listener](srv, listener)


# --- ActiveSync ---------------------------------------------------------------------------------
WBXML = "application/vnd.ms-sync.wbxml"
EAS_PATH = "/Microsoft-Server-ActiveSync"


def eas_cases() -> list[object]:
    rng = random.Random(f"{SEED}-eas")
    auth = {"Authorization": auth_header(), "MS-ASProtocolVersion": "14.1", "Content-Type": WBXML}
    garbage = bytes(rng.randrange(256) for _ in range(300))
    cases = [
        ("garbage WBXML", f"{EAS_PATH}?{EAS_QUERY}", garbage, auth),
        ("WBXML header then garbage", f"{EAS_PATH}?{EAS_QUERY}", b"\x03\x01\x6a\x00" + garbage, auth),
        ("truncated WBXML", f"{EAS_PATH}?{EAS_QUERY}", b"\x03\x01\x6a\x00\x00\x07\x56\x52", auth),
        ("WBXML with a string table length that overflows", f"{EAS_PATH}?{EAS_QUERY}",
         b"\x03\x01\x6a\xff\xff\xff\xff\x7f", auth),
        ("wrong Content-Type", f"{EAS_PATH}?{EAS_QUERY}", b"<FolderSync/>", {**auth, "Content-Type": "text/html"}),
        ("message/rfc822 on FolderSync", f"{EAS_PATH}?{EAS_QUERY}", b"Subject: x\r\n\r\nhi\r\n",
         {**auth, "Content-Type": "message/rfc822"}),
        ("missing query string", EAS_PATH, b"", auth),
        ("query without Cmd", f"{EAS_PATH}?User=alice&DeviceId=X", b"", auth),
        ("garbled query string", f"{EAS_PATH}?%ZZ%%&&==Cmd=%FF", b"", auth),
        ("base64 query garbage", f"{EAS_PATH}?" + base64.b64encode(garbage[:40]).decode(), b"", auth),
        ("unknown command", f"{EAS_PATH}?Cmd=Frobnicate&User=alice&DeviceId=X&DeviceType=T", b"", auth),
        ("unknown protocol version", f"{EAS_PATH}?{EAS_QUERY}", b"", {**auth, "MS-ASProtocolVersion": "99.9"}),
        ("garbled Authorization", f"{EAS_PATH}?{EAS_QUERY}", b"", {**auth, "Authorization": "Basic !!!\x7f"}),
        ("no Authorization", f"{EAS_PATH}?{EAS_QUERY}", b"", {"Content-Type": WBXML}),
        ("GET", f"{EAS_PATH}?{EAS_QUERY}", b"", {**auth}),
    ]
    return [pytest.param(path, body, headers, "GET" if name == "GET" else "POST", id=name)
            for name, path, body, headers in cases]


@pytest.mark.parametrize(("path", "body", "headers", "method"), eas_cases())
def test_activesync_garbage_gets_http_error_or_status(srv: RunningServer, path: str, body: bytes,
                                                      headers: dict[str, str], method: str) -> None:
    status, _, answer = eas(srv, method, path, body, headers)
    assert eas_error(status, answer), (status, answer[:100])
    eas_healthy(srv)


def eas_tree_cases() -> list[object]:
    rng = random.Random(f"{SEED}-eas-trees")
    out: list[object] = []
    for command in ("FolderSync", "FolderCreate", "FolderDelete", "FolderUpdate", "Sync", "GetItemEstimate",
                    "ItemOperations", "MoveItems", "Provision", "ResolveRecipients", "Search", "Settings",
                    "SendMail", "SmartForward", "SmartReply", "ValidateCert", "Find"):
        namespace = next(p.namespace for p in CODE_PAGES.values() if p.token(command))
        for i in range(5):
            out.append(pytest.param(command, encode(random_tree(rng, f"{namespace}:{command}", 4)),
                                    id=f"{command}-{i}"))
    return out


@pytest.mark.parametrize(("command", "body"), eas_tree_cases())
def test_activesync_random_request_trees_get_an_answer(srv: RunningServer, command: str, body: bytes) -> None:
    """Valid WBXML, nonsense structure and values: an answer for every command, never a 500."""
    query = f"Cmd={command}&User={USER}&DeviceId=WIREGARBAGE1&DeviceType=TestDevice"
    headers = {"Authorization": auth_header(), "MS-ASProtocolVersion": "14.1", "Content-Type": WBXML}
    status, _, answer = eas(srv, "POST", f"{EAS_PATH}?{query}", body, headers)
    assert status < 500, (status, answer[:100])
    if status == 200 and answer:
        decode(answer)  # a WBXML answer, never an error page


def eas_cmd(srv: RunningServer, command: str, tree: Element, device: str = "WIREGARBAGE2") -> tuple[int, Element | None]:
    query = f"Cmd={command}&User={USER}&DeviceId={device}&DeviceType=TestDevice"
    headers = {"Authorization": auth_header(), "MS-ASProtocolVersion": "14.1", "Content-Type": WBXML}
    status, _, answer = eas(srv, "POST", f"{EAS_PATH}?{query}", encode(tree), headers)
    assert status < 500, (command, status, answer[:100])
    return status, (decode(answer) if status == 200 and answer else None)


@pytest.fixture(scope="module")
def eas_state(srv: RunningServer) -> dict[str, str]:
    """Real ids for the request templates: the inbox, a sync key, one message's ServerId."""
    smtp = smtplib.SMTP("127.0.0.1", srv.port("smtp"), local_hostname="client.example.net", timeout=TIMEOUT)
    for i in range(3):
        smtp.sendmail("someone@example.net", [USER],
                      f"From: someone@example.net\r\nTo: {USER}\r\nSubject: mutate {i}\r\n\r\nbody {i}\r\n")
    smtp.quit()
    _, tree = eas_cmd(srv, "FolderSync", E("FolderHierarchy:FolderSync", E("FolderHierarchy:SyncKey", text="0")))
    assert tree is not None
    folders = {f.findtext("DisplayName"): f.findtext("ServerId") for f in tree.find("Changes") or ()
               if f.tag == "FolderHierarchy:Add"}
    inbox = folders.get("Inbox") or folders["INBOX"]
    other = next(v for k, v in folders.items() if v != inbox)
    coll = lambda key: E("AirSync:Sync", E("AirSync:Collections", E(  # noqa: E731
        "AirSync:Collection", E("AirSync:SyncKey", text=key), E("AirSync:CollectionId", text=inbox),
        E("AirSync:WindowSize", text=100))))
    _, tree = eas_cmd(srv, "Sync", coll("0"))
    key = tree.find("Collections").find("Collection").findtext("SyncKey")  # type: ignore[union-attr]
    _, tree = eas_cmd(srv, "Sync", coll(key))
    collection = tree.find("Collections").find("Collection")  # type: ignore[union-attr]
    item = collection.find("Commands").find("Add").findtext("ServerId")  # type: ignore[union-attr]
    return {"inbox": inbox, "other": other or inbox, "key": collection.findtext("SyncKey") or key, "item": item or ""}


@pytest.mark.parametrize("name", list(NASTY))
def test_a_pathological_message_is_served_by_every_protocol(srv: RunningServer, name: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Any octet gets through SMTP into a mailbox; IMAP, POP3 and ActiveSync must still serve
    it (an ActiveSync Sync failed with 500 on a message holding NUL)."""
    raw, word = NASTY[name]
    smtp = smtplib.SMTP("127.0.0.1", srv.port("smtp"), local_hostname="client.example.net", timeout=TIMEOUT)
    smtp.sendmail("eve@example.net", [USER], raw)
    smtp.quit()
    imap = imaplib.IMAP4("127.0.0.1", srv.port("imap"), timeout=TIMEOUT)
    imap.login(USER, PASSWORD)
    imap.select("INBOX")
    status, data = imap.fetch("*", "(ENVELOPE BODYSTRUCTURE BODY.PEEK[] BODY.PEEK[1.1.1])")
    assert status == "OK" and word.encode() in b"".join(x[1] if isinstance(x, tuple) else x for x in data)
    for item in data:  # outside literals, no NUL (RFC 9051 4.3: not in quoted strings)
        head = item[0] if isinstance(item, tuple) else item
        assert b"\x00" not in head, head[:200]
    assert imap.fetch("*", "(BINARY.PEEK[1])")[0] in ("OK", "NO")  # NO [UNKNOWN-CTE] for a multipart
    assert imap.search(None, "TEXT", word)[0] == "OK"
    imap.logout()
    monkeypatch.setattr(poplib, "_MAXLINE", 1 << 20)  # the client's own limit; RFC 1939 sets none
    pop = poplib.POP3("127.0.0.1", srv.port("pop3"), timeout=TIMEOUT)
    try:
        pop.user(USER)
        pop.pass_(PASSWORD)
        last = len(pop.list()[1])
        assert pop.retr(last)[0].startswith(b"+OK") and pop.top(last, 3)[0].startswith(b"+OK")
    finally:
        pop.quit()
    device = "WIRENASTY" + str(list(NASTY).index(name))
    _, tree = eas_cmd(srv, "FolderSync", E("FolderHierarchy:FolderSync", E("FolderHierarchy:SyncKey", text="0")),
                      device=device)
    assert tree is not None
    inbox = next(f.findtext("ServerId") for f in tree.find("Changes") or ()
                 if f.tag == "FolderHierarchy:Add" and f.findtext("DisplayName") in ("Inbox", "INBOX"))
    for body_type in (1, 2, 4):
        key = "0"
        for _ in range(2):
            status, tree = eas_cmd(srv, "Sync", E("AirSync:Sync", E("AirSync:Collections", E(
                "AirSync:Collection", E("AirSync:SyncKey", text=key), E("AirSync:CollectionId", text=inbox),
                E("AirSync:WindowSize", text=512), E("AirSync:Options", E("AirSyncBase:BodyPreference", E(
                    "AirSyncBase:Type", text=body_type)))))), device=f"{device}B{body_type}")
            assert status == 200 and tree is not None
            key = tree.find("Collections").find("Collection").findtext("SyncKey")  # type: ignore[union-attr]
        assert word in repr(tree), repr(tree)[:300]


@pytest.mark.parametrize("tree", [pytest.param(t, id=n) for n, t in PING_CASES])
def test_activesync_bad_ping_is_answered_at_once(srv: RunningServer, tree: Element) -> None:
    """A Ping the server cannot honour gets its error Status now, not after a heartbeat."""
    status, answer = eas_cmd(srv, "Ping", tree, device="WIREGARBAGE5")
    assert status >= 400 or (answer is not None and answer.findtext("Status") not in (None, "1", "2")), answer


@pytest.mark.parametrize("mime", [pytest.param(m, id=n) for n, m in SENDMAIL_CASES])
def test_activesync_sendmail_with_bad_mime_gets_an_error(srv: RunningServer, mime: bytes) -> None:
    query = f"Cmd=SendMail&User={USER}&DeviceId=WIREGARBAGE6&DeviceType=TestDevice&SaveInSent=T"
    headers = {"Authorization": auth_header(), "MS-ASProtocolVersion": "14.1", "Content-Type": "message/rfc822"}
    status, _, answer = eas(srv, "POST", f"{EAS_PATH}?{query}", mime, headers)
    assert eas_error(status, answer), (status, answer[:200])


MUTANTS_PER_COMMAND = 8


@pytest.mark.parametrize("command", ["Sync", "ItemOperations", "MoveItems", "GetItemEstimate", "FolderCreate",
                                     "FolderUpdate", "Search", "SmartReply", "SendMail", "Settings",
                                     "ResolveRecipients", "Provision"])
def test_activesync_mutated_valid_requests_get_an_answer(srv: RunningServer, eas_state: dict[str, str],
                                                         command: str) -> None:
    """A valid request with one thing wrong reaches deep into the handler: an answer, never a 500."""
    rng = random.Random(f"{SEED}-mutate-{command}")
    template = templates(eas_state)[command]
    for _ in range(MUTANTS_PER_COMMAND):
        tree = template
        for _ in range(rng.randrange(1, 4)):
            tree = mutate(rng, tree)
        eas_cmd(srv, command, tree)
    eas_healthy(srv)


def _raw_https(srv: RunningServer, request: bytes) -> bytes:
    sock = srv.client_tls_context().wrap_socket(
        socket.create_connection(("127.0.0.1", srv.port("https")), timeout=TIMEOUT))
    try:
        sock.sendall(request)
        got = b""
        for _ in range(1000):
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, ssl.SSLEOFError):
                break
            if not chunk:
                break
            got += chunk
            if b"\r\n\r\n" in got:
                head = got.split(b"\r\n\r\n", 1)[0]
                m = re.search(rb"(?i)content-length: *(\d+)", head)
                if m and len(got) - len(head) - 4 >= int(m.group(1)):
                    break
        return got
    finally:
        sock.close()


def test_activesync_huge_content_length_with_short_body_is_refused_at_once(srv: RunningServer) -> None:
    head = (f"POST {EAS_PATH}?{EAS_QUERY} HTTP/1.1\r\nHost: x\r\nAuthorization: {auth_header()}\r\n"
            f"Content-Type: {WBXML}\r\nContent-Length: 99999999999\r\n\r\n").encode()
    got = _raw_https(srv, head + b"\x03\x01\x6a\x00")
    assert got.startswith(b"HTTP/1.1 413"), got[:200]
    eas_healthy(srv)


def test_autodiscover_request_template_is_valid(srv: RunningServer) -> None:
    # The cases below are this request spoiled; unspoiled, it gets the EAS URL.
    status, _, answer = eas(srv, "POST", AD_PATH, AD_REQ.format(USER).encode(),
                            {"Authorization": auth_header(), "Content-Type": "text/xml"})
    assert status == 200 and b"Microsoft-Server-ActiveSync" in answer and b"Error" not in answer, answer[:300]


@pytest.mark.parametrize("body", [
    pytest.param(XXE, id="external entity"),
    pytest.param(LAUGHS, id="entity expansion"),
    pytest.param(b"<Autodiscover>" * 5000, id="nested too deep"),
    pytest.param(b"\xff\xfe<\x00>", id="not XML"),
    pytest.param(AD_REQ.format("\x00\x01").encode(), id="control characters"),
    pytest.param(AD_REQ.format("bob@example.test").encode(), id="someone else's address"),
])
def test_autodiscover_garbage_gets_an_error_answer(srv: RunningServer, body: bytes) -> None:
    status, _, answer = eas(srv, "POST", AD_PATH, body, {"Authorization": auth_header(), "Content-Type": "text/xml"})
    assert status < 500 and b"root:" not in answer and b"lollollol" not in answer, (status, answer[:300])
    assert status >= 400 or b"Error" in answer, answer[:300]
    eas_healthy(srv)


def _post_head(extra: str) -> bytes:
    return (f"POST {EAS_PATH}?{EAS_QUERY} HTTP/1.1\r\nHost: x\r\nAuthorization: {auth_header()}\r\n"
            f"Content-Type: {WBXML}\r\n{extra}\r\n").encode()


@pytest.mark.parametrize(("request_bytes", "expected"), [
    pytest.param(_post_head("X-Junk: " + "j" * 70000 + "\r\n"), b"HTTP/1.1 431", id="header line over the limit"),
    pytest.param(_post_head("".join(f"X-J{i}: {i:0500d}\r\n" for i in range(40))), b"HTTP/1.1 400",
                 id="headers over the limit in total"),
    pytest.param(_post_head("Transfer-Encoding: chunked\r\n") + b"zz\r\nabc\r\n0\r\n\r\n", b"HTTP/1.1 400",
                 id="chunk size not hex"),
    pytest.param(_post_head("Content-Length: -5\r\n"), b"HTTP/1.1 400", id="negative Content-Length"),
    pytest.param(_post_head("Content-Length: 5\r\nContent-Length: 7\r\n") + b"abcdefg", b"HTTP/1.1 400",
                 id="two different Content-Lengths"),
])
def test_activesync_malformed_http_gets_400(srv: RunningServer, request_bytes: bytes, expected: bytes) -> None:
    got = _raw_https(srv, request_bytes)
    assert got.startswith(expected), got[:200]
    eas_healthy(srv)


def test_activesync_half_sent_body_then_close(srv: RunningServer) -> None:
    sock = srv.client_tls_context().wrap_socket(
        socket.create_connection(("127.0.0.1", srv.port("https")), timeout=TIMEOUT))
    sock.sendall(_post_head("Content-Length: 100\r\n") + b"\x03\x01\x6a\x00")
    sock.close()
    eas_healthy(srv)


def test_activesync_garbage_request_line_gets_400(srv: RunningServer) -> None:
    rng = random.Random(f"{SEED}-http")
    junk = bytes(rng.randrange(256) for _ in range(200)).replace(b"\n", b"x") + b"\r\n\r\n"
    got = _raw_https(srv, junk)
    assert got.startswith(b"HTTP/1.1 400"), got[:200]
    eas_healthy(srv)


# --- at the end: nothing crashed ------------------------------------------------------------------
def test_zz_server_log_has_no_traceback(srv: RunningServer) -> None:
    log = srv.log_since_start()
    bad = [line for line in log.splitlines()
           if "Traceback" in line or "Unhandled" in line or "session.crash" in line
           or "SERVERBUG" in line or "event=http.handler_error" in line or "event=activesync.error" in line
           or "worker_error" in line or "command_failed" in line or "managesieve.error" in line]
    assert not bad, "\n".join(bad[:40])
    assert srv.proc is not None and srv.proc.poll() is None, "the server process died"
