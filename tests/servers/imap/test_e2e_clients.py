"""Real clients nobody here wrote (imaplib, imapclient, aioimaplib) against `postvak serve`
over TLS (993) and STARTTLS (143) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import imaplib
import time

import pytest

pytestmark = pytest.mark.e2e

USER, PASSWORD = "alice@example.test", "alice-secret-1"


def _msg(subject: str) -> bytes:
    return (
        f"From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: {subject}\r\n"
        f"Message-ID: <{subject}@example.test>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nHello {subject}\r\n"
    ).encode()


def test_imaplib_over_implicit_tls(mail_server) -> None:
    with imaplib.IMAP4_SSL(mail_server.host, mail_server.port("imaps"), ssl_context=mail_server.client_tls_context(),
                           timeout=20) as m:
        typ, _ = m.login(USER, PASSWORD)
        assert typ == "OK"
        typ, data = m.append("INBOX", "(\\Flagged)", None, _msg("first"))
        assert typ == "OK" and b"APPENDUID" in data[0]
        typ, data = m.select("INBOX")
        assert typ == "OK" and int(data[0]) >= 1
        typ, data = m.fetch("1", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODYSTRUCTURE)")
        assert typ == "OK"
        assert b"Subject: first" in data[0][1]
        typ, _ = m.store("1", "+FLAGS", "\\Deleted")
        assert typ == "OK"
        typ, data = m.expunge()
        assert typ == "OK" and data[0] == b"1"
        typ, data = m.list()
        assert typ == "OK" and any(b"\\Sent" in line and b"Sent" in line for line in data)
        m.logout()


def test_imaplib_starttls_and_idle_wakeup(mail_server) -> None:
    m = imaplib.IMAP4(mail_server.host, mail_server.port("imap"), timeout=20)
    try:
        m.starttls(ssl_context=mail_server.client_tls_context())
        assert m.login(USER, PASSWORD)[0] == "OK"
        assert m.create("Projects/2024")[0] == "OK"
        m.select("Projects/2024")
        tag = m._new_tag()
        m.send(tag + b" IDLE\r\n")
        assert m.readline().startswith(b"+")
        other = imaplib.IMAP4_SSL(mail_server.host, mail_server.port("imaps"),
                                  ssl_context=mail_server.client_tls_context(), timeout=20)
        other.login(USER, PASSWORD)
        started = time.monotonic()
        other.append("Projects/2024", None, None, _msg("live"))
        line = m.readline()
        assert b"EXISTS" in line, line
        assert time.monotonic() - started < 2.0
        m.send(b"DONE\r\n")
        while True:
            line = m.readline()
            if line.startswith(tag):
                assert b"OK" in line
                break
        other.logout()
        m.logout()
    finally:
        try:
            m.shutdown()
        except OSError:
            pass


def test_imapclient_flags_move_and_uidplus(mail_server) -> None:
    from imapclient import IMAPClient

    with IMAPClient(mail_server.host, port=mail_server.port("imaps"), ssl=True,
                    ssl_context=mail_server.client_tls_context(), timeout=20) as c:
        c.login(USER, PASSWORD)
        c.append("INBOX", _msg("for-imapclient"))
        c.select_folder("INBOX")
        uids = c.search(["SUBJECT", "for-imapclient"]) if _has_search() else c.search()
        assert uids
        c.add_flags(uids, [b"$Important"])
        flags = c.get_flags(uids)
        assert all(b"$Important" in f for f in flags.values())
        c.move(uids, "Trash")
        c.select_folder("Trash", readonly=True)
        assert c.folder_status("Trash", [b"MESSAGES"])[b"MESSAGES"] >= 1
        assert c.has_capability("MOVE") and c.has_capability("UIDPLUS")


def _has_search() -> bool:
    try:
        from postvak.servers.imap import search

        return hasattr(search, "search_uids")
    except ImportError:
        return False


def test_aioimaplib_login_select_fetch(mail_server) -> None:
    import aioimaplib

    async def main() -> None:
        client = aioimaplib.IMAP4_SSL(mail_server.host, mail_server.port("imaps"),
                                      ssl_context=mail_server.client_tls_context(), timeout=20)
        await client.wait_hello_from_server()
        r = await client.login(USER, PASSWORD)
        assert r.result == "OK"
        r = await client.append(_msg("aio"), mailbox="INBOX")
        assert r.result == "OK"
        r = await client.select("INBOX")
        assert r.result == "OK"
        r = await client.fetch("1:*", "(UID FLAGS RFC822.SIZE)")
        assert r.result == "OK" and any(b"RFC822.SIZE" in line for line in r.lines if isinstance(line, bytes))
        await client.logout()

    asyncio.run(asyncio.wait_for(main(), 60))


def test_imapclient_starttls_and_large_body_streamed(mail_server) -> None:
    from imapclient import IMAPClient

    big = _msg("big").replace(b"Hello big", b"Z" * (3 * 1024 * 1024))
    with IMAPClient(mail_server.host, port=mail_server.port("imap"), ssl=False, timeout=30) as c:
        c.starttls(ssl_context=mail_server.client_tls_context())
        c.login(USER, PASSWORD)
        c.create_folder("Big")
        result = c.append("Big", big)
        assert b"APPENDUID" in result
        c.select_folder("Big")
        data = c.fetch([1], ["BODY.PEEK[]", "RFC822.SIZE"])
        assert data[1][b"BODY[]"] == big and data[1][b"RFC822.SIZE"] == len(big)
        status = c.folder_status("Big", [b"MESSAGES"])
        assert status[b"MESSAGES"] == 1


def test_imapclient_status_deleted_storage(mail_server) -> None:
    """RFC 9208 STATUS DELETED / DELETED-STORAGE (QUOTA=RES-STORAGE) as imapclient asks it."""
    from imapclient import IMAPClient

    kept, doomed = _msg("kept-for-status"), _msg("deleted-for-status")
    with IMAPClient(mail_server.host, port=mail_server.port("imaps"), ssl=True,
                    ssl_context=mail_server.client_tls_context(), timeout=20) as c:
        c.login(USER, PASSWORD)
        assert c.has_capability("QUOTA=RES-STORAGE")
        c.create_folder("StatusQuota")
        c.append("StatusQuota", kept)
        c.append("StatusQuota", doomed, flags=[b"\\Deleted"])
        status = c.folder_status("StatusQuota", [b"MESSAGES", b"DELETED", b"DELETED-STORAGE"])
        assert status[b"MESSAGES"] == 2 and status[b"DELETED"] == 1
        assert status[b"DELETED-STORAGE"] == len(doomed)
