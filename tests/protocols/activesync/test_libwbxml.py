"""Cross-check of code pages 0-24 against Debian's libwbxml2-utils.

libwbxml (wbxml2xml / xml2wbxml) carries its own ActiveSync tables, written
independently of ours. Both directions are checked: our bytes read by
wbxml2xml, and xml2wbxml's bytes read by our decoder. Where libwbxml spells a
tag differently from the [MS-ASWBXML]/schema name, or lacks a newer tag, the
difference is listed below so that any other disagreement fails.
With CI set, a missing tool is a failure, not a skip.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess

import pytest
from lxml import etree

from postvak.protocols.activesync.codepages import CODE_PAGES
from postvak.protocols.activesync.element import Element
from postvak.protocols.activesync.wbxml import decode, encode
from postvak.protocols.activesync.xmlconv import ACTIVESYNC_DOCTYPE

TOOLS = ("wbxml2xml", "xml2wbxml")
MISSING = [t for t in TOOLS if shutil.which(t) is None]
if MISSING and not os.environ.get("CI"):
    pytestmark = pytest.mark.skip(
        reason=f"{', '.join(MISSING)} not installed (apt-get install libwbxml2-utils)")

# (page, token): libwbxml's spelling where it differs from the spec's.
LIBWBXML_NAMES = {
    (1, 0x07): "AssistantTelephoneNumber",
    (1, 0x0D): "BusinessCity", (1, 0x0E): "BusinessCountry", (1, 0x0F): "BusinessPostalCode",
    (1, 0x10): "BusinessState", (1, 0x11): "BusinessStreet",
    (1, 0x21): "HomeCity", (1, 0x22): "HomeCountry", (1, 0x23): "HomePostalCode",
    (1, 0x24): "HomeState", (1, 0x25): "HomeStreet",
    (1, 0x2D): "OtherCity", (1, 0x2E): "OtherCountry", (1, 0x2F): "OtherPostalCode",
    (1, 0x30): "OtherState", (1, 0x31): "OtherStreet",
    (2, 0x09): "AttOId", (2, 0x19): "Reply-To", (2, 0x1D): "DTStamp",
    (4, 0x09): "Attendee_Email", (4, 0x0A): "Attendee_Name", (4, 0x10): "Compressed_RTF",
    (4, 0x11): "DTStamp", (4, 0x15): "Exception_Deleted", (4, 0x16): "Exception_StartTime",
    (4, 0x19): "Organizer_Email", (4, 0x1A): "Organizer_Name",
    (4, 0x1C): "Recurrence_Type", (4, 0x1D): "Recurrence_Until",
    (4, 0x1E): "Recurrence_Occurrences", (4, 0x1F): "Recurrence_Interval",
    (4, 0x20): "Recurrence_DayOfWeek", (4, 0x21): "Recurrence_DayOfMonth",
    (4, 0x22): "Recurrence_WeekOfMonth", (4, 0x23): "Recurrence_MonthOfYear",
    (4, 0x29): "Attendee_Status", (4, 0x2A): "Attendee_Type",
    (9, 0x0D): "UTCDueDate", (9, 0x10): "Recurrence_Type", (9, 0x11): "Recurrence_Start",
    (9, 0x12): "Recurrence_Until", (9, 0x13): "Recurrence_Occurrences",
    (9, 0x14): "Recurrence_Interval", (9, 0x15): "Recurrence_DayOfMonth",
    (9, 0x16): "Recurrence_DayOfWeek", (9, 0x17): "Recurrence_WeekOfMonth",
    (9, 0x18): "Recurrence_MonthOfYear", (9, 0x19): "Recurrence_Regenerate",
    (9, 0x1A): "Recurrence_DeadOccur", (9, 0x1F): "UTCStartDate",
    (14, 0x10): "DeviceEncryptionEnabled",  # the 12.0 name of RequireStorageCardEncryption
    (18, 0x1F): "SmtpAddress", (18, 0x2B): "ihsManagementInformation",  # sic, libwbxml typo
    (21, 0x10): "MIME",
    (24, 0x12): "RMOwner", (24, 0x18): "RemoveRightsManagementDistribution",
}
# Tags libwbxml 0.11 does not know (old 2.5-only or 16.x additions).
LIBWBXML_LACKS = {
    (4, t) for t in range(0x2B, 0x33)} | {
    (8, 0x10), (8, 0x11), (14, 0x3B), (15, 0x06), (15, 0x16)}
LIBWBXML_NAMESPACE = {"GAL": "Gal"}
# Tags libwbxml treats as binary: shown as base64 in XML, written as OPAQUE.
LIBWBXML_OPAQUE = {(10, 0x1C), (15, 0x20), (16, 0x12), (17, 0x1F), (20, 0x18), (21, 0x10),
                   (22, 0x09), (22, 0x0A)}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def run(tool: str, args: list[str], data: bytes) -> bytes:
    proc = subprocess.run([tool, *args, "-o", "-", "-"], input=data, capture_output=True, timeout=30)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace") + proc.stdout[-300:].decode(
        errors="replace")
    return proc.stdout


def known(number: int) -> list[tuple[int, str]]:
    return [(t, n) for t, n in sorted(CODE_PAGES[number].by_token.items())
            if (number, t) not in LIBWBXML_LACKS]


def test_tools_present() -> None:
    assert not MISSING, f"{MISSING} missing: apt-get install libwbxml2-utils"


@pytest.mark.parametrize("number", range(25))
def test_wbxml2xml_reads_our_bytes(number: int) -> None:
    cp = CODE_PAGES[number]
    kids = tuple(Element(f"{cp.namespace}:{name}", (), f"t{token}") for token, name in known(number))
    xml = run("wbxml2xml", ["-l", "ACTIVESYNC", "-m", "0"], encode(Element("AirSync:Sync", kids)))
    root = etree.fromstring(xml[xml.index(b"<Sync"):])
    got = [(etree.QName(c).namespace, etree.QName(c).localname, c.text) for c in root]
    want_ns = LIBWBXML_NAMESPACE.get(cp.namespace, cp.namespace) + ":"
    want = [(want_ns, LIBWBXML_NAMES.get((number, t), n),
             b64(f"t{t}") if (number, t) in LIBWBXML_OPAQUE else f"t{t}") for t, n in known(number)]
    assert got == want


@pytest.mark.parametrize("number", range(25))
def test_we_read_xml2wbxml_bytes(number: int) -> None:
    cp = CODE_PAGES[number]
    ns = LIBWBXML_NAMESPACE.get(cp.namespace, cp.namespace) + ":"
    body = ""
    for t, n in known(number):
        tag = LIBWBXML_NAMES.get((number, t), n)
        value = b64(f"v{t}") if (number, t) in LIBWBXML_OPAQUE else f"v{t}"
        body += f'<{tag} xmlns="{ns}">{value}</{tag}>'

    doc = f'<?xml version="1.0"?>\n{ACTIVESYNC_DOCTYPE}\n<Sync xmlns="AirSync:">{body}</Sync>'
    data = run("xml2wbxml", ["-a", "-n", "-v", "1.3"], doc.encode())
    assert data[:4] == b"\x03\x01\x6a\x00"
    tree = decode(data)
    assert [(c.tag, c.value) for c in tree] == [(f"{cp.namespace}:{n}", f"v{t}") for t, n in known(number)]
    for child, (t, _) in zip(tree, known(number), strict=True):
        assert (child.opaque is not None) == ((number, t) in LIBWBXML_OPAQUE)
