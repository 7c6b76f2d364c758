"""End to end: smtplib and raw sockets against `postvak serve` on 25, 587 and 465,
with a loopback DNS zone for SPF, DKIM and DMARC. Mail is read back from the store."""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Iterator

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from postvak.store import accounts, queue, state
from tests.servers.smtp.dns_responder import DnsResponder
from tests.servers.smtp.helpers import SIZE_LIMIT, RawClient, mailbox_messages, start_server
from tests.support.server import RunningServer

pytestmark = pytest.mark.e2e

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KEY_PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
PUB_B64 = base64.b64encode(KEY.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()


def zone() -> DnsResponder:
    d = DnsResponder()
    d.add("good.test", "TXT", "v=spf1 ip4:127.0.0.1 -all")
    d.add("_dmarc.good.test", "TXT", "v=DMARC1; p=reject")
    d.add("reject.test", "TXT", "v=spf1 -all")
    d.add("_dmarc.reject.test", "TXT", "v=DMARC1; p=reject")
    d.add("quar.test", "TXT", "v=spf1 -all")
    d.add("_dmarc.quar.test", "TXT", "v=DMARC1; p=quarantine")
    d.add("signed.test", "TXT", "v=spf1 -all")
    d.add("_dmarc.signed.test", "TXT", "v=DMARC1; p=reject; adkim=s")
    d.add("sel._domainkey.signed.test", "TXT", f"v=DKIM1; k=rsa; p={PUB_B64}")
    return d


@pytest.fixture(scope="module")
def dns_zone() -> Iterator[DnsResponder]:
    d = zone()
    yield d
    d.close()


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory, dns_zone: DnsResponder) -> Iterator[RunningServer]:
    # Remote mail goes to a relay that refuses connections (port 9, nothing listens), so it
    # stays queued for retry and the tests can read it there whenever they look.
    server = start_server(tmp_path_factory.mktemp("smtp"), dns_zone, POSTVAK_AUTH__PLAINTEXT_ON_LOOPBACK="false",
                          POSTVAK_OUTBOUND__RELAYHOST="127.0.0.1:9")
    try:
        for user in ("alice", "bob", "carol", "dave"):
            server.add_user(f"{user}@example.test", f"{user}-secret-1")
        server.cli("alias", "add", "sales@example.test", "bob@example.test")
        server.cli("identity", "add", "alice@example.test", "boss@example.test")
        server.add_domain("catch.test")
        server.cli("alias", "add", "@catch.test", "carol@example.test")
        yield server
    finally:
        assert server.stop() == 0, server.log_since_start()


def mx(srv: RunningServer) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", srv.port("smtp"), local_hostname="client.good.test", timeout=30)
    client.ehlo()
    return client


def submit(srv: RunningServer, user: str) -> smtplib.SMTP:
    client = smtplib.SMTP_SSL("127.0.0.1", srv.port("submissions"), context=srv.client_tls_context(), timeout=30)
    client.login(user, user.split("@")[0] + "-secret-1")
    return client


def msg(frm: str, to: str, subject: str, extra: str = "") -> bytes:
    return (f"From: {frm}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@t>\r\n{extra}\r\n"
            f"body of {subject}\r\n").encode()


def with_subject(srv: RunningServer, address: str, subject: str, special: str | None = None) -> list[bytes]:
    return [m for m in mailbox_messages(srv, address, special) if f"Subject: {subject}\r\n".encode() in m]


# -- capabilities -------------------------------------------------------------------
def test_ehlo_on_mx_offers_esmtp_and_starttls_but_no_auth(srv: RunningServer) -> None:
    client = mx(srv)
    for ext in ("pipelining", "size", "8bitmime", "smtputf8", "enhancedstatuscodes", "chunking", "starttls"):
        assert client.has_extn(ext), ext
    assert client.esmtp_features["size"] == str(SIZE_LIMIT)
    assert not client.has_extn("auth")
    client.quit()


def test_submission_offers_auth_only_after_starttls(srv: RunningServer) -> None:
    raw = RawClient(srv.port("submission"))
    code, text = raw.cmd("EHLO c")
    assert code == 250 and "STARTTLS" in text and "AUTH" not in text
    assert raw.auth_plain("alice@example.test", "alice-secret-1")[0] == 538
    assert raw.cmd("MAIL FROM:<alice@example.test>")[0] == 530
    raw.starttls(srv.client_tls_context())
    code, text = raw.cmd("EHLO c")
    assert "AUTH PLAIN LOGIN" in text and "STARTTLS" not in text
    assert raw.auth_plain("alice@example.test", "alice-secret-1")[0] == 235
    raw.close()


def test_implicit_tls_offers_auth_and_login_mechanism_works(srv: RunningServer) -> None:
    client = smtplib.SMTP_SSL("127.0.0.1", srv.port("submissions"), context=srv.client_tls_context(), timeout=30)
    client.ehlo()
    assert "PLAIN" in client.esmtp_features["auth"] and "LOGIN" in client.esmtp_features["auth"]
    client.user, client.password = "bob@example.test", "bob-secret-1"
    code, _ = client.auth("LOGIN", client.auth_login, initial_response_ok=False)
    assert code == 235
    client.quit()


def test_wrong_password_is_refused_and_connection_closed_after_three(srv: RunningServer) -> None:
    raw = RawClient(srv.port("submissions"), srv.client_tls_context())
    raw.cmd("EHLO c")
    codes = [raw.auth_plain("dave@example.test", "wrong")[0] for _ in range(3)]
    assert codes == [535, 535, 535]
    assert raw.reply()[0] == 421
    raw.close()


def test_auth_lines_up_to_rfc_4954s_12288_octets(srv: RunningServer) -> None:
    # RFC 4954 4: an AUTH command and a SASL response line may be 12,288 octets, far past
    # the 1,000 of other commands; one longer is refused and the session goes on.
    password = "p" * 6000
    srv.add_user("longpw@example.test", password)
    plain = base64.b64encode(f"\0longpw@example.test\0{password}".encode()).decode()
    assert 8000 < len(plain) < 12288 - len("AUTH PLAIN \r\n")
    raw = RawClient(srv.port("submissions"), srv.client_tls_context())
    raw.cmd("EHLO c")
    assert raw.cmd("AUTH PLAIN " + plain)[0] == 235
    raw.close()

    raw = RawClient(srv.port("submissions"), srv.client_tls_context())
    raw.cmd("EHLO c")
    assert raw.cmd("AUTH LOGIN")[0] == 334
    assert raw.cmd(base64.b64encode(b"longpw@example.test").decode())[0] == 334
    assert raw.cmd(base64.b64encode(password.encode()).decode())[0] == 235
    raw.close()

    raw = RawClient(srv.port("submissions"), srv.client_tls_context())
    raw.cmd("EHLO c")
    code, text = raw.cmd("AUTH PLAIN " + "A" * 12300)
    assert (code, text.split()[0]) == (500, "5.5.6")
    code, text = raw.cmd("NOOP " + "x" * 3000)  # other commands keep their own limit
    assert (code, text.split()[0]) == (500, "5.5.6")
    assert raw.cmd("AUTH PLAIN")[0] == 334
    code, text = raw.cmd("A" * 12300)
    assert (code, text.split()[0]) == (500, "5.5.6")
    assert raw.auth_plain("alice@example.test", "alice-secret-1")[0] == 235
    raw.close()


# -- MX recipients ------------------------------------------------------------------
def test_mx_delivery_adds_trace_and_authentication_results(srv: RunningServer) -> None:
    client = mx(srv)
    client.sendmail("news@good.test", ["alice@example.test"], msg("news@good.test", "alice@example.test", "mx1"))
    client.quit()
    [stored] = with_subject(srv, "alice@example.test", "mx1")
    head = stored.split(b"\r\n\r\n")[0].decode()
    assert head.startswith("Return-Path: <news@good.test>\r\n")
    assert "Received: from client.good.test" in head and "with ESMTP" in head
    assert "Authentication-Results: mail.example.test; spf=pass" in head
    assert "dmarc=pass header.from=good.test" in head


def test_mx_starttls_is_recorded_as_esmtps(srv: RunningServer) -> None:
    client = mx(srv)
    client.starttls(context=srv.client_tls_context())
    client.ehlo()
    client.sendmail("news@good.test", ["alice@example.test"], msg("news@good.test", "alice@example.test", "tls1"))
    client.quit()
    [stored] = with_subject(srv, "alice@example.test", "tls1")
    assert b"with ESMTPS (using TLSv1." in stored


def test_unknown_user_and_relay_are_refused(srv: RunningServer) -> None:
    client = mx(srv)
    client.mail("x@good.test")
    assert client.rcpt("nobody@example.test")[:1] == (550,)
    assert client.rcpt("nobody@example.test")[1].startswith(b"5.1.1")
    assert client.rcpt("someone@elsewhere.test") == (554, b"5.7.1 Relay access denied")
    client.quit()


@pytest.mark.parametrize("probe", [
    '<alice%elsewhere.test@example.test>',
    '<@example.test:victim@elsewhere.test>',
    '<"victim@elsewhere.test"@example.test>',
    '<elsewhere.test!victim@example.test>',
    '<alice@[127.0.0.1]>',
    '<victim@elsewhere.test>',
    '<"victim%elsewhere.test"@example.test>',
])
def test_relay_probes_are_refused(srv: RunningServer, probe: str) -> None:
    raw = RawClient(srv.port("smtp"))
    raw.cmd("EHLO probe.test")
    assert raw.cmd("MAIL FROM:<probe@good.test>")[0] == 250
    code, text = raw.cmd(f"RCPT TO:{probe}")
    assert code in (550, 553, 554, 501), (probe, code, text)
    assert code != 250
    raw.cmd("QUIT")
    raw.close()


def test_plus_addressing_alias_catch_all_and_postmaster(srv: RunningServer) -> None:
    srv.cli("alias", "add", "postmaster@example.test", "dave@example.test", check=False)
    client = mx(srv)
    client.sendmail("a@good.test", ["alice+shop@example.test"], msg("a@good.test", "alice+shop@example.test", "plus"))
    client.sendmail("a@good.test", ["sales@example.test"], msg("a@good.test", "sales@example.test", "alias"))
    client.sendmail("a@good.test", ["anything@catch.test"], msg("a@good.test", "anything@catch.test", "catch"))
    client.sendmail("a@good.test", ["Postmaster"], msg("a@good.test", "postmaster", "pm"))
    client.quit()
    assert len(with_subject(srv, "alice@example.test", "plus")) == 1
    assert len(with_subject(srv, "bob@example.test", "alias")) == 1
    assert len(with_subject(srv, "carol@example.test", "catch")) == 1
    assert len(with_subject(srv, "dave@example.test", "pm")) == 1


# -- size, line endings, BDAT -------------------------------------------------------
def test_declared_size_over_limit_refused_at_mail(srv: RunningServer) -> None:
    raw = RawClient(srv.port("smtp"))
    raw.cmd("EHLO c.good.test")
    code, text = raw.cmd(f"MAIL FROM:<a@good.test> SIZE={SIZE_LIMIT + 1}")
    assert (code, text[:5]) == (552, "5.3.4")
    raw.close()


def test_data_over_limit_refused_after_data(srv: RunningServer) -> None:
    client = mx(srv)
    body = msg("a@good.test", "alice@example.test", "huge", ) + (b"x" * 998 + b"\r\n") * (SIZE_LIMIT // 1000 + 5)
    client.mail("a@good.test")
    client.rcpt("alice@example.test")
    code, text = client.data(body)
    assert (code, text[:5]) == (552, b"5.3.4")
    assert client.noop()[0] == 250  # the session goes on
    client.quit()
    assert with_subject(srv, "alice@example.test", "huge") == []


def test_bare_lf_smuggling_is_refused(srv: RunningServer) -> None:
    raw = RawClient(srv.port("smtp"))
    raw.cmd("EHLO c.good.test")
    raw.cmd("MAIL FROM:<a@good.test>")
    raw.cmd("RCPT TO:<alice@example.test>")
    assert raw.cmd("DATA")[0] == 354
    raw.send(b"Subject: smuggle1\r\n\r\nhi\n.\nMAIL FROM:<x@good.test>\nRCPT TO:<alice@example.test>\nDATA\n"
             b"Subject: smuggle2\r\n\r\nevil\r\n.\r\n")
    code, text = raw.reply()
    assert code == 451 and "bare" in text.lower()
    assert raw.cmd("QUIT")[0] == 221
    assert with_subject(srv, "alice@example.test", "smuggle1") == []
    assert with_subject(srv, "alice@example.test", "smuggle2") == []


def test_dot_stuffing_and_pipelining(srv: RunningServer) -> None:
    raw = RawClient(srv.port("smtp"))
    raw.cmd("EHLO c.good.test")
    raw.send(b"MAIL FROM:<a@good.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n")
    assert [raw.reply()[0] for _ in range(4)] == [250, 250, 250, 354]
    raw.send(b"From: a@good.test\r\nSubject: dots\r\n\r\n..leading dot\r\n.\r\nNOOP\r\n")
    assert raw.reply()[0] == 250 and raw.reply()[0] == 250
    raw.close()
    [stored] = with_subject(srv, "alice@example.test", "dots")
    assert stored.endswith(b"\r\n\r\n.leading dot\r\n")
    assert len(with_subject(srv, "bob@example.test", "dots")) == 1


def test_bdat_chunks(srv: RunningServer) -> None:
    raw = RawClient(srv.port("smtp"))
    raw.cmd("EHLO c.good.test")
    raw.cmd("MAIL FROM:<a@good.test>")
    raw.cmd("RCPT TO:<alice@example.test>")
    part1 = b"From: a@good.test\r\nSubject: bdat\r\n\r\n"
    part2 = b"first\r\n.\r\nsecond\r\n"
    raw.send(b"BDAT %d\r\n" % len(part1) + part1)
    assert raw.reply()[0] == 250
    raw.send(b"BDAT %d LAST\r\n" % len(part2) + part2)
    assert raw.reply()[0] == 250
    raw.close()
    [stored] = with_subject(srv, "alice@example.test", "bdat")
    assert stored.endswith(b"first\r\n.\r\nsecond\r\n")


# -- SPF / DKIM / DMARC -------------------------------------------------------------
def test_dmarc_reject_refuses(srv: RunningServer) -> None:
    client = mx(srv)
    with pytest.raises(smtplib.SMTPDataError) as info:
        client.sendmail("x@reject.test", ["alice@example.test"], msg("ceo@reject.test", "alice@example.test", "rej"))
    assert info.value.smtp_code == 550 and info.value.smtp_error.startswith(b"5.7.1")
    client.quit()
    assert with_subject(srv, "alice@example.test", "rej") == []


def test_dmarc_quarantine_goes_to_spam(srv: RunningServer) -> None:
    client = mx(srv)
    client.sendmail("x@quar.test", ["alice@example.test"], msg("ceo@quar.test", "alice@example.test", "quar"))
    client.quit()
    assert with_subject(srv, "alice@example.test", "quar") == []
    [stored] = with_subject(srv, "alice@example.test", "quar", "\\Junk")
    assert b"dmarc=fail header.from=quar.test" in stored


def test_dkim_aligned_signature_passes_dmarc(srv: RunningServer) -> None:
    body = msg("news@signed.test", "alice@example.test", "dkim1")
    signature = dkim.sign(body, b"sel", b"signed.test", KEY_PEM, include_headers=[b"from", b"to", b"subject"])
    client = mx(srv)
    client.sendmail("bounce@elsewhere-unknown.test", ["alice@example.test"], signature + body)
    client.quit()
    [stored] = with_subject(srv, "alice@example.test", "dkim1")
    assert b"dkim=pass header.d=signed.test" in stored
    assert b"dmarc=pass header.from=signed.test" in stored


def test_forged_authentication_results_are_removed(srv: RunningServer) -> None:
    forged = "Authentication-Results: mail.example.test; dmarc=pass header.from=bank.test\r\n"
    client = mx(srv)
    client.sendmail("a@good.test", ["alice@example.test"], msg("a@good.test", "alice@example.test", "forged", forged))
    client.quit()
    [stored] = with_subject(srv, "alice@example.test", "forged")
    assert b"header.from=bank.test" not in stored


# -- submission ---------------------------------------------------------------------
def test_sender_must_be_own_identity(srv: RunningServer) -> None:
    client = submit(srv, "bob@example.test")
    with pytest.raises(smtplib.SMTPSenderRefused) as info:
        client.sendmail("alice@example.test", ["carol@example.test"], msg("alice@example.test", "c", "spoof"))
    assert info.value.smtp_code == 553 and info.value.smtp_error.startswith(b"5.7.1")
    with pytest.raises(smtplib.SMTPDataError) as data_info:
        client.sendmail("bob@example.test", ["carol@example.test"], msg("alice@example.test", "c", "spoof2"))
    assert data_info.value.smtp_code == 553
    client.quit()


def test_identity_and_alias_may_send(srv: RunningServer) -> None:
    alice = submit(srv, "alice@example.test")
    alice.sendmail("boss@example.test", ["carol@example.test"], msg("boss@example.test", "c", "ident"))
    alice.quit()
    bob = submit(srv, "bob@example.test")
    bob.sendmail("sales@example.test", ["carol@example.test"], msg("sales@example.test", "c", "aliassend"))
    bob.quit()
    assert len(with_subject(srv, "carol@example.test", "ident")) == 1
    [stored] = with_subject(srv, "carol@example.test", "aliassend")
    assert b"with ESMTPSA" in stored


def test_bcc_stripped_local_and_remote_queued(srv: RunningServer) -> None:
    client = submit(srv, "alice@example.test")
    client.sendmail("alice@example.test", ["bob@example.test", "carol@example.test", "far@remote.test"],
                    msg("alice@example.test", "bob@example.test", "bcc1", "Bcc: carol@example.test\r\n"))
    client.quit()
    for user in ("bob@example.test", "carol@example.test"):
        [stored] = with_subject(srv, user, "bcc1")
        assert b"\r\nBcc:" not in stored.split(b"\r\n\r\n")[0]
    store = srv.open_store()
    try:
        items = [i for i in store.read(queue.list_queue) if [r.address for r in i.recipients] == ["far@remote.test"]]
        assert items and items[-1].sender == "alice@example.test"
        with store.blobs.open(items[-1].blob_sha) as fh:
            queued = fh.read()
        assert b"Subject: bcc1" in queued and b"Bcc:" not in queued and not queued.startswith(b"Return-Path")
    finally:
        store.close()


def test_unauthenticated_remote_recipient_refused_on_mx_even_from_local_sender(srv: RunningServer) -> None:
    client = mx(srv)
    client.mail("alice@example.test")
    assert client.rcpt("far@remote.test")[0] == 554
    client.quit()


def test_recipient_limit_per_message(srv: RunningServer) -> None:
    client = submit(srv, "alice@example.test")
    client.mail("alice@example.test")
    codes = [client.rcpt(f"r{i}@remote.test")[0] for i in range(101)]
    assert codes[:100] == [250] * 100
    assert codes[100] == 452
    client.rset()
    client.quit()


def test_daily_limit(srv: RunningServer) -> None:
    from postvak.servers.smtp.limits import SCOPE, day_key

    store = srv.open_store()
    try:
        dave = store.read(accounts.get_account, "dave@example.test")
        store.write(state.put, SCOPE, dave.id, day_key(), 1000)
    finally:
        store.close()
    client = submit(srv, "dave@example.test")
    with pytest.raises(smtplib.SMTPSenderRefused) as info:
        client.sendmail("dave@example.test", ["alice@example.test"], msg("dave@example.test", "a", "daily"))
    assert info.value.smtp_code == 550 and info.value.smtp_error.startswith(b"5.7.1")
    client.quit()
