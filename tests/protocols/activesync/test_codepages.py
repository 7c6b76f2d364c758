"""Every tag of every code page encodes and decodes to itself."""

from __future__ import annotations

import pytest

from postvak.protocols.activesync.codepages import CODE_PAGES, page_for
from postvak.protocols.activesync.element import Element
from postvak.protocols.activesync.wbxml import decode, encode

EXPECTED = [
    "AirSync", "Contacts", "Email", "AirNotify", "Calendar", "Move", "GetItemEstimate",
    "FolderHierarchy", "MeetingResponse", "Tasks", "ResolveRecipients", "ValidateCert",
    "Contacts2", "Ping", "Provision", "Search", "GAL", "AirSyncBase", "Settings",
    "DocumentLibrary", "ItemOperations", "ComposeMail", "Email2", "Notes",
    "RightsManagement", "Find",
]


def test_all_26_pages_in_order() -> None:
    assert [CODE_PAGES[n].namespace for n in range(26)] == EXPECTED


@pytest.mark.parametrize("number", range(26))
def test_every_tag_round_trips(number: int) -> None:
    cp = CODE_PAGES[number]
    assert cp.by_token, cp.namespace
    for token, name in cp.by_token.items():
        assert 0x05 <= token <= 0x3F
        assert cp.token(name) == token and cp.tag(token) == name
    # Each tag both empty and with content, inside a root from another page.
    kids = []
    for name in cp.by_name:
        kids.append(Element(f"{cp.namespace}:{name}"))
        kids.append(Element(f"{cp.namespace}:{name}", (), "v"))
    root = Element("AirSync:Sync", tuple(kids))
    assert decode(encode(root)) == root
    # And as the root itself.
    for name in cp.by_name:
        single = Element(f"{cp.namespace}:{name}")
        data = encode(single)
        switch = b"" if number == 0 else bytes([0, number])
        assert data == b"\x03\x01\x6a\x00" + switch + bytes([cp.token(name)])
        assert decode(data) == single


@pytest.mark.parametrize(("namespace", "name", "token"), [
    # Spot checks against the [MS-ASWBXML] tables.
    ("AirSync", "Sync", 0x05), ("AirSync", "HeartbeatInterval", 0x29),
    ("Email", "DisallowNewTimeProposal", 0x3F), ("Calendar", "ClientUid", 0x3C),
    ("FolderHierarchy", "FolderSync", 0x16), ("Ping", "MaxFolders", 0x0D),
    ("Provision", "AccountOnlyRemoteWipe", 0x3B), ("AirSyncBase", "Body", 0x0A),
    ("AirSyncBase", "InstanceId", 0x2D), ("Settings", "RightsManagementInformation", 0x2B),
    ("ComposeMail", "Forwardees", 0x15), ("Email2", "Send", 0x17),
    ("MeetingResponse", "SendResponse", 0x12), ("Find", "Response", 0x11),
    ("Find", "Picture", 0x22), ("ItemOperations", "MoveAlways", 0x19),
])
def test_spot_tokens(namespace: str, name: str, token: int) -> None:
    cp = page_for(namespace)
    assert cp is not None and cp.token(name) == token


def test_aliases() -> None:
    assert page_for("ItemEstimate") is page_for("GetItemEstimate")
    assert page_for("Gal") is page_for("GAL")
    assert page_for("Nope") is None
