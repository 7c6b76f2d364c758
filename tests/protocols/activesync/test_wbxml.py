"""The WBXML codec: spec byte examples, strictness, limits, property tests."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.protocols.activesync.codepages import CODE_PAGES
from postvak.protocols.activesync.element import E, Element
from postvak.protocols.activesync.wbxml import Decoder, Limits, WbxmlError, decode, encode

# [MS-ASWBXML] 4.1 (server response with a new contact): the bytes as printed,
# up to and including the FileAs element.
PRINTED_PREFIX = bytes.fromhex(
    "03 01 6A 00 45 5C 4F 50 03 43 6F 6E 74 61 63 74 73 00 01 4B 03 32 00 01 52 03 32 00 01"
    " 4E 03 31 00 01 56 47 4D 03 32 3A 31 00 01 5D 00 11 4A 46 03 31 00 01 4C 03 30 00 01"
    " 4D 03 31 00 01 01 00 01 5E 03 46 75 6E 6B".replace(" ", ""))
# The rest follows the same rules: FirstName (0x1F), LastName (0x29), page 17,
# NativeBodyType (0x16), then the six ENDs.
REST = (b", Don\x00\x01" + b"\x5f\x03Don\x00\x01" + b"\x69\x03Funk\x00\x01"
        + b"\x00\x11\x56\x031\x00\x01" + b"\x01" * 6)


def contact_response() -> Element:
    return E("AirSync:Sync", E("AirSync:Collections", E(
        "AirSync:Collection",
        E("AirSync:Class", text="Contacts"), E("AirSync:SyncKey", text="2"),
        E("AirSync:CollectionId", text="2"), E("AirSync:Status", text="1"),
        E("AirSync:Commands", E(
            "AirSync:Add", E("AirSync:ServerId", text="2:1"),
            E("AirSync:ApplicationData",
              E("AirSyncBase:Body", E("AirSyncBase:Type", text=1),
                E("AirSyncBase:EstimatedDataSize", text=0), E("AirSyncBase:Truncated", text=1)),
              E("Contacts:FileAs", text="Funk, Don"), E("Contacts:FirstName", text="Don"),
              E("Contacts:LastName", text="Funk"), E("AirSyncBase:NativeBodyType", text=1)))))))


def test_ms_aswbxml_example_bytes() -> None:
    data = encode(contact_response())
    assert data.startswith(PRINTED_PREFIX)
    assert data == PRINTED_PREFIX + REST
    assert decode(data) == contact_response()


def test_foldersync_request_bytes() -> None:
    # The smallest real request: FolderSync with SyncKey 0 (page 7).
    data = bytes.fromhex("03016a00 0007 56 52 03 30 00 01 01".replace(" ", ""))
    tree = decode(data)
    assert tree == E("FolderHierarchy:FolderSync", E("FolderHierarchy:SyncKey", text="0"))
    assert encode(tree) == data


def test_opaque_and_multibyte_length() -> None:
    blob = bytes(range(256)) * 3
    tree = E("ComposeMail:SendMail", E("ComposeMail:ClientId", text="1"),
             E("ComposeMail:Mime", opaque=blob))
    data = encode(tree)
    assert b"\xc3\x86\x00" + blob[:4] in data  # 768 = 0x86 0x00 as mb_u_int32
    assert decode(data) == tree


def test_unicode_text_and_split_strings() -> None:
    tree = E("Email:Subject", text="Grüße 📧")
    assert decode(encode(tree)) == tree
    two = b"\x03\x01\x6a\x00\x00\x02\x54\x03ab\x00\x03cd\x00\x01"
    assert decode(two).text == "abcd"


def test_empty_string_is_kept() -> None:
    tree = E("AirSync:SyncKey", text="")
    assert decode(encode(tree)) == tree


@pytest.mark.parametrize(("data", "why"), [
    (b"", "end of data"),
    (b"\x02\x01\x6a\x00\x45\x01", "version"),
    (b"\x03\x00\x00\x6a\x00\x45\x01", "string table reference"),
    (b"\x03\x01\x04\x00\x45\x01", "UTF-8"),
    (b"\x03\x01\x6a\x02ab\x45\x01", "string tables"),
    (b"\x03\x01\x6a\x00", "end of data"),
    (b"\x03\x01\x6a\x00\x45", "end of data"),
    (b"\x03\x01\x6a\x00\x45\x01\x01", "after the root"),
    (b"\x03\x01\x6a\x00\x45\x01\x45", "after the root"),
    (b"\x03\x01\x6a\x00\xc5\x01", "attributes"),
    (b"\x03\x01\x6a\x00\x45\x83\x00\x01", "global token"),
    (b"\x03\x01\x6a\x00\x45\x04\x00\x01", "global token"),
    (b"\x03\x01\x6a\x00\x45\x02\x41\x01", "global token"),
    (b"\x03\x01\x6a\x00\x3f", "unknown token"),
    (b"\x03\x01\x6a\x00\x00\x1a\x45\x01", "unknown code page"),
    (b"\x03\x01\x6a\x00\x45\x03ab", "unterminated"),
    (b"\x03\x01\x6a\x00\x45\x03\xff\x00\x01", "UTF-8"),
    (b"\x03\x01\x6a\x00\x45\xc3\x05ab\x01", "past the end"),
    (b"\x03\x01\x6a\x00\x45\xc3\x9f\xff\xff\xff\x7f\x01", "overflow"),
    (b"\x03\x01\x6a\x00\x45\xc3\x80\x80\x80\x80\x80\x01", "longer than 5"),
    (b"\x03\x01\x6a\x00\x45\x03a\x00\x4b\x01\x01", "mixed"),
    (b"\x03\x01\x6a\x00\x45\x03a\x00\xc3\x01b\x01", "mixed"),
    (b"\x03\x01\x6a\x00\x03a\x00", "outside the root"),
])
def test_malformed(data: bytes, why: str) -> None:
    with pytest.raises(WbxmlError, match=why):
        decode(data)


def test_depth_limit() -> None:
    deep = b"\x03\x01\x6a\x00" + b"\x45" * 10 + b"\x01" * 10
    assert decode(deep, Limits(max_depth=10)).tag == "AirSync:Sync"
    deeper = b"\x03\x01\x6a\x00" + b"\x45" * 11 + b"\x01" * 11
    with pytest.raises(WbxmlError, match="deeper"):
        decode(deeper, Limits(max_depth=10))
    # Far beyond any recursion limit: still a clean error, no RecursionError.
    with pytest.raises(WbxmlError):
        decode(b"\x03\x01\x6a\x00" + b"\x45" * 200_000)


def test_size_and_element_limits() -> None:
    data = encode(E("AirSync:Sync", *[E("AirSync:Status") for _ in range(20)]))
    with pytest.raises(WbxmlError, match="exceeds"):
        decode(data, Limits(max_bytes=len(data) - 1))
    with pytest.raises(WbxmlError, match="more than"):
        decode(data, Limits(max_elements=20))
    assert len(decode(data, Limits(max_elements=21)).children) == 20


def test_streaming_decoder() -> None:
    data = encode(contact_response())
    dec = Decoder()
    for i in range(0, len(data), 7):
        dec.feed(data[i:i + 7])
    assert dec.close() == contact_response()
    small = Decoder(Limits(max_bytes=10))
    small.feed(data[:10])
    with pytest.raises(WbxmlError, match="exceeds"):
        small.feed(data[10:11])
    with pytest.raises(WbxmlError, match="version"):
        Decoder().feed(b"<?xml")


@pytest.mark.parametrize("bad", [
    E("AirSync:Nope"), E("Nope:Sync"), E("Sync"), E("Email:Subject", text="a\x00b"),
    Element("AirSync:Sync", (E("AirSync:Status"),), "text"),
])
def test_encode_refuses(bad: Element) -> None:
    with pytest.raises(WbxmlError):
        encode(bad)


# --- property tests -------------------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_wbxml_error(data: bytes) -> None:
    try:
        result = decode(data)
    except WbxmlError:
        return
    assert isinstance(result, Element)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=200))
def test_any_body_after_valid_header(body: bytes) -> None:
    try:
        result = decode(b"\x03\x01\x6a\x00" + body)
    except WbxmlError:
        return
    # Whatever decodes must encode back to something that decodes the same.
    assert decode(encode(result)) == result


TAGS = [f"{cp.namespace}:{name}" for cp in CODE_PAGES.values() for name in cp.by_name]
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)
leaves = st.builds(lambda t, x: Element(t, (), x), st.sampled_from(TAGS), st.none() | texts) | st.builds(
    lambda t, b: Element(t, (), None, b), st.sampled_from(TAGS), st.binary(max_size=20))
trees = st.recursive(leaves, lambda kids: st.builds(
    lambda t, c: Element(t, tuple(c)), st.sampled_from(TAGS), st.lists(kids, min_size=1, max_size=4)),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_encode_decode_round_trip(tree: Element) -> None:
    assert decode(encode(tree)) == tree
