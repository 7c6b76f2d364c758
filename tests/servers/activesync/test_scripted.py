"""A scripted client on our own codec for what pyactivesync does not speak: the
12.1 paths (HTTP 449, raw-MIME SendMail/SmartReply), 14.x ComposeMail
SmartForward and Status 142, the base64 query, and the field pitfalls
(DeviceId=validate, ';'-separated recipients, empty Ping/Sync, heartbeat bounds)."""

from __future__ import annotations

import base64
import http.client
import json
import ssl
from urllib.parse import urlencode

import pytest

from postvak.protocols.activesync import E, decode, encode
from postvak.protocols.activesync.query import RequestLine, build_base64_query

USER, PASSWORD = "alice@example.test", "alice-secret-1"
WBXML = "application/vnd.ms-sync.wbxml"


class Eas:
    def __init__(self, server, device: str, version: str, user: str = USER, password: str = PASSWORD) -> None:
        self.server, self.device, self.version, self.user = server, device, version, user
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.policy_key: str | None = None

    def raw(self, method: str, query: str = "", body: bytes = b"", headers: dict | None = None):
        ctx = ssl._create_unverified_context()
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port("https"), context=ctx, timeout=30)
        try:
            conn.request(method, "/Microsoft-Server-ActiveSync" + (f"?{query}" if query else ""), body,
                         headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()  # case-insensitive names
        finally:
            conn.close()

    def post(self, cmd: str, body: bytes = b"", content_type: str = WBXML, **params: str):
        q = urlencode({"Cmd": cmd, "User": self.user, "DeviceId": self.device, "DeviceType": "Scripted", **params})
        headers = {"Authorization": self.auth, "MS-ASProtocolVersion": self.version, "Content-Type": content_type}
        if self.policy_key:
            headers["X-MS-PolicyKey"] = self.policy_key
        return self.raw("POST", q, body, headers)

    def cmd(self, cmd: str, tree, **params: str):
        status, headers, body = self.post(cmd, encode(tree) if tree is not None else b"", **params)
        assert headers.get("Content-Type") == WBXML
        return status, (decode(body) if body else None)

    def provision(self, device_info: bool = False) -> None:
        info = E("Settings:DeviceInformation", E("Settings:Set", E("Settings:Model", text="Scripted"))) \
            if device_info else None
        policy = lambda *k: E("Provision:Policies", E("Provision:Policy",  # noqa: E731
                                                     E("Provision:PolicyType", text="MS-EAS-Provisioning-WBXML"), *k))
        status, tree = self.cmd("Provision", E("Provision:Provision", info, policy()))
        temp = tree.find("Policies").find("Policy").findtext("PolicyKey")
        assert status == 200 and temp not in (None, "0")
        status, tree = self.cmd("Provision", E("Provision:Provision", policy(
            E("Provision:PolicyKey", text=temp), E("Provision:Status", text=1))))
        self.policy_key = tree.find("Policies").find("Policy").findtext("PolicyKey")
        assert self.policy_key not in (None, "0", temp)

    def folders(self) -> dict[str, str]:
        _, tree = self.cmd("FolderSync", E("FolderHierarchy:FolderSync", E("FolderHierarchy:SyncKey", text="0")))
        assert tree.findtext("Status") == "1"
        return {a.findtext("DisplayName"): a.findtext("ServerId") for a in tree.find("Changes").findall("Add")}


def _inbox(server, account: str) -> list[bytes]:
    from postvak.store import accounts, mailboxes, messages

    store = server.open_store()
    try:
        acc = store.read(accounts.get_account, account)
        box = store.read(mailboxes.get_mailbox, acc.id, "INBOX")
        return [store.blobs.open(m.blob_sha).read() for m in store.read(messages.snapshot, box.id).messages]
    finally:
        store.close()


def test_options_and_auth(mail_server):
    eas = Eas(mail_server, "opt1", "14.1")
    status, headers, body = eas.raw("OPTIONS")
    assert status == 401 and body == b"" and headers["WWW-Authenticate"].startswith("Basic")
    assert headers["Content-Type"] == WBXML
    status, headers, _ = eas.raw("OPTIONS", headers={"Authorization": eas.auth})
    assert status == 200
    assert headers["MS-ASProtocolVersions"].split(",") == ["12.1", "14.0", "14.1", "16.0", "16.1"]
    assert "Sync" in headers["MS-ASProtocolCommands"].split(",")
    bad = Eas(mail_server, "opt1", "14.1", password="wrong")
    assert bad.post("FolderSync")[0] == 401


def test_12_1_gets_449_until_provisioned_then_raw_mime_send(mail_server):
    eas = Eas(mail_server, "old121", "12.1")
    status, _, body = eas.post("FolderSync", encode(E("FolderHierarchy:FolderSync",
                                                      E("FolderHierarchy:SyncKey", text="0"))))
    assert status == 449 and body == b""
    eas.provision()
    folders = eas.folders()
    assert "Inbox" in folders or "INBOX" in folders
    mime = (b"From: alice@example.test\r\nTo: bob@example.test; \"Al, B\" <alice@example.test>\r\n"
            b"Bcc: bob@example.test\r\nSubject: raw mime 12.1\r\n\r\nhello bob\r\n")
    status, _, body = eas.post("SendMail", mime, content_type="message/rfc822", SaveInSent="T")
    assert status == 200 and body == b""
    got = [m for m in _inbox(mail_server, "bob@example.test") if b"raw mime 12.1" in m]
    assert len(got) == 1 and b"Bcc:" not in got[0]
    assert any(b"raw mime 12.1" in m for m in _inbox(mail_server, USER))  # the ';' list reached alice too


def test_14_status_142_and_smart_reply_forward(mail_server):
    eas = Eas(mail_server, "new140", "14.0")
    status, tree = eas.cmd("FolderSync", E("FolderHierarchy:FolderSync", E("FolderHierarchy:SyncKey", text="0")))
    assert status == 200 and tree.findtext("Status") == "142"
    eas.provision()
    folders = eas.folders()
    inbox = folders.get("Inbox") or folders["INBOX"]
    # an original to reply to
    original = b"From: bob@example.test\r\nTo: alice@example.test\r\nSubject: question\r\n\r\nwhat time?\r\n"
    eas2 = Eas(mail_server, "sender2", "12.1", user="bob@example.test", password="bob-secret-1")
    eas2.provision()
    assert eas2.post("SendMail", original, content_type="message/rfc822")[0] == 200
    _, tree = eas.cmd("Sync", E("AirSync:Sync", E("AirSync:Collections", E(
        "AirSync:Collection", E("AirSync:SyncKey", text="0"), E("AirSync:CollectionId", text=inbox)))))
    key = tree.find("Collections").find("Collection").findtext("SyncKey")
    _, tree = eas.cmd("Sync", E("AirSync:Sync", E("AirSync:Collections", E(
        "AirSync:Collection", E("AirSync:SyncKey", text=key), E("AirSync:CollectionId", text=inbox),
        E("AirSync:WindowSize", text=512)))))
    adds = tree.find("Collections").find("Collection").find("Commands").findall("Add")
    item = next(a.findtext("ServerId") for a in adds
                if a.find("ApplicationData").findtext("Email:Subject") == "question")
    reply = b"From: alice@example.test\r\nTo: bob@example.test\r\nSubject: Re: question\r\n\r\nnoon\r\n"
    status, _, body = \
        eas.post("SmartReply", reply, content_type="message/rfc822", ItemId=item, CollectionId=inbox)
    assert status == 200 and body == b""
    got = next(m for m in _inbox(mail_server, "bob@example.test") if b"Re: question" in m)
    assert b"noon" in got and b"> what time?" in got
    fwd = E("ComposeMail:SmartForward", E("ComposeMail:ClientId", text="c1"),
            E("ComposeMail:Source", E("ComposeMail:FolderId", text=inbox), E("ComposeMail:ItemId", text=item)),
            E("ComposeMail:Mime", opaque=b"From: alice@example.test\r\nTo: bob@example.test\r\n"
                                         b"Subject: Fwd: question\r\n\r\nsee below\r\n"))
    status, tree = eas.cmd("SmartForward", fwd)
    assert status == 200 and tree is None
    got = next(m for m in _inbox(mail_server, "bob@example.test") if b"Fwd: question" in m)
    assert b"message/rfc822" in got and b"what time?" in got


def test_validate_device_leaves_no_state(mail_server):
    eas = Eas(mail_server, "validate", "14.1")
    _, tree = eas.cmd("FolderSync", E("FolderHierarchy:FolderSync", E("FolderHierarchy:SyncKey", text="0")))
    assert tree.findtext("Status") == "1"
    out = mail_server.cli("device", "list", USER).stdout
    assert "validate" not in out


def test_ping_and_sync_pitfalls(mail_server):
    eas = Eas(mail_server, "pingy", "14.1")
    eas.provision(device_info=True)
    folders = eas.folders()
    inbox = folders.get("Inbox") or folders["INBOX"]
    assert eas.cmd("Ping", None)[1].findtext("Status") == "3"  # empty Ping, nothing cached
    assert eas.cmd("Sync", None)[1].findtext("Status") == "13"  # empty Sync, nothing cached
    _, tree = eas.cmd("Ping", E("Ping:Ping", E("Ping:HeartbeatInterval", text=10), E("Ping:Folders", E(
        "Ping:Folder", E("Ping:Id", text=inbox), E("Ping:Class", text="Email")))))
    assert tree.findtext("Status") == "5" and tree.findtext("HeartbeatInterval") == "60"
    _, tree = eas.cmd("Ping", E("Ping:Ping", E("Ping:HeartbeatInterval", text=60), E("Ping:Folders", E(
        "Ping:Folder", E("Ping:Id", text="999999"), E("Ping:Class", text="Email")))))
    assert tree.findtext("Status") == "7"
    listed = mail_server.cli("device", "list", USER).stdout
    assert "pingy" in listed and "Scripted" in listed


def test_base64_query_and_remote_wipe(mail_server):
    eas = Eas(mail_server, "wipeme", "14.1")
    eas.provision()
    line = RequestLine("FolderSync", USER, "wipeme", "Scripted", "14.1", int(eas.policy_key))
    status, headers, body = eas.raw("POST", build_base64_query(line),
                                    encode(E("FolderHierarchy:FolderSync", E("FolderHierarchy:SyncKey", text="0"))),
                                    {"Authorization": eas.auth, "Content-Type": WBXML})
    assert status == 200 and decode(body).findtext("Status") == "1"
    mail_server.cli("device", "wipe", USER, "wipeme")
    _, tree = eas.cmd("FolderSync", E("FolderHierarchy:FolderSync", E("FolderHierarchy:SyncKey", text="0")))
    assert tree.findtext("Status") == "140"
    _, tree = eas.cmd("Provision", E("Provision:Provision", E("Provision:Policies", E(
        "Provision:Policy", E("Provision:PolicyType", text="MS-EAS-Provisioning-WBXML")))))
    assert tree.has("RemoteWipe")
    _, tree = eas.cmd("Provision", E("Provision:Provision", E("Provision:RemoteWipe",
                                                              E("Provision:Status", text=1))))
    assert tree.findtext("Status") == "1"
    mail_server.cli("device", "remove", USER, "wipeme")
    assert "wipeme" not in mail_server.cli("device", "list", USER).stdout


@pytest.mark.parametrize("path", ["/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"])
def test_autodiscover(mail_server, path):
    eas = Eas(mail_server, "ad", "14.1")
    body = (b'<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/'
            b'mobilesync/requestschema/2006"><Request><EMailAddress>alice@example.test</EMailAddress>'
            b'<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/mobilesync/'
            b'responseschema/2006</AcceptableResponseSchema></Request></Autodiscover>')
    ctx = ssl._create_unverified_context()
    conn = http.client.HTTPSConnection("127.0.0.1", mail_server.port("https"), context=ctx, timeout=30)
    conn.request("POST", path, body, {"Authorization": eas.auth, "Content-Type": "text/xml"})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    assert resp.status == 200 and b"MobileSync" in data and b"/Microsoft-Server-ActiveSync" in data


@pytest.mark.parametrize(("host", "url_host"), [
    ("mail.example.test", "mail.example.test"),  # the server's own name
    ("autodiscover.example.test", "autodiscover.example.test"),  # what phones ask, a hosted domain
    ("example.test:8443", "example.test:8443"),
    ("127.0.0.1:8443", "127.0.0.1:8443"),  # loopback, as in development
    ("evil.example.org", "mail.example.test"),  # not a name of this server
    ("autodiscover.evil.example.org", "mail.example.test"),
    ("mail.example.test/x?", "mail.example.test"),  # not a host at all
    ('a"b', "mail.example.test"),
    ("", "mail.example.test"),
])
def test_autodiscover_json_names_this_server_only(mail_server, host, url_host):
    """The URL takes the Host header's name only when it is one of this server's names; a
    forged Host (which a cache in front could keep for others) gets the configured name."""
    ctx = ssl._create_unverified_context()
    conn = http.client.HTTPSConnection("127.0.0.1", mail_server.port("https"), context=ctx, timeout=30)
    conn.putrequest("GET", "/autodiscover/autodiscover.json/v1.0/alice@example.test?Protocol=ActiveSync",
                    skip_host=True)
    if host:
        conn.putheader("Host", host)
    conn.endheaders()
    resp = conn.getresponse()
    data = json.loads(resp.read())
    conn.close()
    assert resp.status == 200
    assert data == {"Protocol": "ActiveSync", "Url": f"https://{url_host}/Microsoft-Server-ActiveSync"}
