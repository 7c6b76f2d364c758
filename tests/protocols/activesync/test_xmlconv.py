"""XML view of the tree: round trips, libwbxml's spelling, refusals."""

from __future__ import annotations

import pytest

from postvak.protocols.activesync.element import E
from postvak.protocols.activesync.wbxml import WbxmlError
from postvak.protocols.activesync.xmlconv import from_xml, to_xml

TREE = E("AirSync:Sync", E("AirSync:Collections", E(
    "AirSync:Collection", E("AirSync:SyncKey", text="0"), E("AirSync:CollectionId", text="5"),
    E("AirSync:Options", E("AirSyncBase:BodyPreference", E("AirSyncBase:Type", text=2),
                           E("AirSyncBase:TruncationSize", text=5120))),
    E("AirSync:GetChanges"))))


def test_round_trip_with_prefixes_like_ms_ascmd() -> None:
    xml = to_xml(TREE)
    assert '<Sync xmlns="AirSync" xmlns:airsyncbase="AirSyncBase">' in xml
    assert "<airsyncbase:Type>2</airsyncbase:Type>" in xml
    assert from_xml(xml) == TREE
    assert from_xml(to_xml(TREE, pretty=False)) == TREE


def test_libwbxml_spelling() -> None:
    xml = to_xml(TREE, uri_suffix=":")
    assert 'xmlns="AirSync:"' in xml
    assert from_xml(xml) == TREE
    assert from_xml('<Find xmlns="Gal:"/>'.replace("Find", "DisplayName")).tag == "GAL:DisplayName"


def test_opaque_survives() -> None:
    tree = E("ComposeMail:SendMail", E("ComposeMail:Mime", opaque=b"\x00\xffFrom: a\r\n"))
    assert from_xml(to_xml(tree)) == tree


@pytest.mark.parametrize("xml", [
    "<Sync/>", '<Sync xmlns="Nope"/>', "<Sync", '<!DOCTYPE x [<!ENTITY e "x">]><Sync xmlns="AirSync">&e;</Sync>',
    '<Mime xmlns="ComposeMail" xmlns:w="urn:postvak:wbxml" w:opaque="base64">!!</Mime>',
])
def test_refusals(xml: str) -> None:
    with pytest.raises(WbxmlError):
        from_xml(xml)
