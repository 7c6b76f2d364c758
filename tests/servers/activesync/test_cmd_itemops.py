"""ItemOperations Fetch of an attachment, base64 inline and as a multipart answer
(MS-ASAcceptMultiPart: T, [MS-ASCMD] 2.2.2.9), on a real store."""

from __future__ import annotations

import base64
import struct
from email.message import EmailMessage

from postvak.protocols.activesync import E, decode, encode
from postvak.servers.activesync.commands.itemops import multipart_body
from postvak.store import messages
from tests.servers.activesync.handler_env import USER, EasEnv

PAYLOAD = bytes(range(256)) * 7


def _with_attachment(eas: EasEnv) -> str:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "bob@remote.test", USER, "with attachment"
    msg.set_content("see attached")
    msg.add_attachment(PAYLOAD, maintype="application", subtype="octet-stream", filename="data.bin")
    box = eas.box()
    stored = eas.store.write(messages.ingest, eas.account.id, box.id, msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    tree = eas.cmd("ItemOperations", E("ItemOperations:ItemOperations", E(
        "ItemOperations:Fetch", E("ItemOperations:Store", text="Mailbox"),
        E("AirSync:CollectionId", text=str(box.id)), E("AirSync:ServerId", text=f"{box.id}:{stored.uid}"))))
    props = tree.find("Response").find("Fetch").find("Properties")
    return props.find("AirSyncBase:Attachments").find("AirSyncBase:Attachment").findtext("AirSyncBase:FileReference")


def _fetch_attachment(ref: str) -> bytes:
    return encode(E("ItemOperations:ItemOperations", E("ItemOperations:Fetch", E(
        "ItemOperations:Store", text="Mailbox"), E("AirSyncBase:FileReference", text=ref))))


def test_attachment_inline_base64(eas: EasEnv) -> None:
    ref = _with_attachment(eas)
    resp = eas.http("ItemOperations", _fetch_attachment(ref))
    fetch = decode(resp.body).find("Response").find("Fetch")
    assert fetch.findtext("Status") == "1"
    assert base64.b64decode(fetch.find("Properties").findtext("Data")) == PAYLOAD


def test_attachment_as_multipart(eas: EasEnv) -> None:
    ref = _with_attachment(eas)
    resp = eas.http("ItemOperations", _fetch_attachment(ref), AcceptMultiPart="T")
    assert ("Content-Type", "application/vnd.ms-sync.multipart") in resp.headers
    body = resp.body
    (count,) = struct.unpack_from("<i", body, 0)
    assert count == 2
    spans = [struct.unpack_from("<ii", body, 4 + 8 * i) for i in range(count)]
    wbxml, data = (body[o:o + n] for o, n in spans)
    assert data == PAYLOAD
    props = decode(wbxml).find("Response").find("Fetch").find("Properties")
    assert props.findtext("Part") == "1" and props.find("Data") is None


def test_multipart_layout() -> None:
    body = multipart_body(b"AB", [b"xyz"])
    assert body == struct.pack("<iiiii", 2, 20, 2, 22, 3) + b"ABxyz"
