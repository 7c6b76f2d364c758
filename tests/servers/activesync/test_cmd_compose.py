"""SendMail on a real store: a recipient in our domain that does not exist is
reported (Status 116 when nobody else is left, else a DSN to the sender), never
skipped silently; the others still get the message."""

from __future__ import annotations

from postvak.protocols.activesync import E
from postvak.store import accounts, mailboxes
from tests.servers.activesync.handler_env import USER, EasEnv


def send_raw(eas: EasEnv, mime: bytes):
    return eas.http("SendMail", mime, version="12.1", content_type="message/rfc822")


def inbox_of(eas: EasEnv, address: str) -> list[bytes]:
    acct = eas.store.read(accounts.get_account, address)
    return eas.raws(eas.store.read(mailboxes.get_mailbox, acct.id, "INBOX"))


def test_unknown_local_recipient_gets_a_dsn_and_the_rest_is_sent(eas: EasEnv) -> None:
    mime = (f"From: {USER}\r\nTo: v@example.test, ghost@example.test\r\nSubject: hello both\r\n\r\nhi\r\n").encode()
    resp = send_raw(eas, mime)
    assert resp.status == 200 and resp.body == b""
    assert any(b"hello both" in m for m in inbox_of(eas, "v@example.test"))
    (report,) = [m for m in inbox_of(eas, USER) if b"multipart/report" in m]
    assert b"report-type=delivery-status" in report
    assert b"Final-Recipient: rfc822; ghost@example.test" in report or b"ghost@example.test" in report
    assert b"Status: 5.1.1" in report and b"Action: failed" in report
    assert b"Subject: hello both" in report  # the original's header section comes back


def test_only_unknown_local_recipients_fail_with_status_116(eas: EasEnv) -> None:
    tree = eas.cmd("SendMail", E("ComposeMail:SendMail", E("ComposeMail:ClientId", text="c1"),
                                 E("ComposeMail:Mime", opaque=f"From: {USER}\r\nTo: ghost@example.test\r\n"
                                                              f"Subject: lost\r\n\r\nhi\r\n".encode())))
    assert tree.findtext("Status") == "116"
    assert inbox_of(eas, USER) == [] and eas.queued() == []


def test_remote_recipient_is_queued_without_bcc(eas: EasEnv) -> None:
    tree = eas.cmd("SendMail", E("ComposeMail:SendMail", E("ComposeMail:ClientId", text="c2"),
                                 E("ComposeMail:SaveInSentItems"),
                                 E("ComposeMail:Mime", opaque=f"From: {USER}\r\nTo: far@remote.test\r\n"
                                                              f"Bcc: v@example.test\r\nSubject: out\r\n\r\nhi\r\n"
                                                              .encode())))
    assert tree is None  # success is an empty 200
    (item,) = eas.queued()
    assert [r.address for r in item.recipients] == ["far@remote.test"]
    assert b"Bcc:" not in eas.store.blobs.open(item.blob_sha).read()
    assert any(b"Subject: out" in m for m in inbox_of(eas, "v@example.test"))
    assert any(b"Bcc: v@example.test" in m for m in eas.raws(eas.box(special="\\Sent")))
