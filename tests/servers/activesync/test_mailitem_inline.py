"""mailitem: mail text holding NUL or undecodable bytes still encodes as WBXML."""

from __future__ import annotations

from postvak.protocols.activesync import decode, encode
from postvak.protocols.activesync.element import E
from postvak.servers.activesync.mailitem import MIME, BodyChoice, body_element, inline_safe


def test_nul_and_lone_surrogates_become_replacement_characters() -> None:
    tree = E("AirSync:ApplicationData", E("Email:Subject", text="a\x00b"), E("Email:From", text="x\udcffy"),
             E("Email:Read", text="1"))
    safe = inline_safe(tree)
    assert [c.text for c in safe.children] == ["a\ufffdb", "x\ufffdy", "1"]
    assert decode(encode(safe)).find("Email:Subject").text == "a\ufffdb"  # type: ignore[union-attr]


def test_a_clean_tree_is_returned_as_is() -> None:
    tree = E("AirSync:ApplicationData", E("Email:Subject", text="hello"), E("Email:Attachments"))
    assert inline_safe(tree) is tree


def test_mime_body_with_nul_travels_as_opaque_bytes_unchanged() -> None:
    raw = b"Subject: x\r\n\r\nNUL \x00 here\r\n"
    body = body_element(raw, BodyChoice(MIME, None, None), None)
    data = body.find("AirSyncBase:Data")
    assert data is not None and data.opaque == raw and data.text is None
    encode(body)
