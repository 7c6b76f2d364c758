"""Request line parsing: plain and base64 forms of [MS-ASHTTP] 2.2.1.1.1."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.protocols.activesync.query import QueryError, RequestLine, build_base64_query, parse_query


def test_ms_ashttp_base64_example() -> None:
    # [MS-ASHTTP] example: version 14.0, Sync, locale 0x0409, device "v140Device", type "SmartPhone"
    line = parse_query("jAAJBAp2MTQwRGV2aWNlAApTbWFydFBob25l")
    assert line == RequestLine("Sync", "", "v140Device", "SmartPhone", "14.0", None, {}, 0x0409)


def test_base64_with_policy_key_params_and_padding() -> None:
    line = RequestLine("SmartReply", "jan", "ABC123", "iPhone", "12.1", 0xDEADBEEF,
                       {"ItemId": "5:7", "CollectionId": "5", "Options": "1"}, 0x0413)
    query = build_base64_query(line)
    assert parse_query(query) == line
    assert parse_query(query.replace("=", "%3D")) == line
    assert line.save_in_sent and not line.accept_multipart


def test_binary_device_id_becomes_hex() -> None:
    raw = bytes([141, 9, 4, 0, 4, 0xDE, 0xAD, 0xBE, 0xEF, 0, 2]) + b"WP"
    assert parse_query(base64.b64encode(raw).decode()).device_id == "DEADBEEF"


def test_plain_query() -> None:
    line = parse_query("Cmd=SmartForward&User=jan%40example.org&DeviceId=Appl123&DeviceType=iPhone"
                       "&ItemId=5%3A1&CollectionId=5&SaveInSent=T", protocol_version="12.1", policy_key="42")
    assert (line.command, line.user, line.device_id, line.device_type) == (
        "SmartForward", "jan@example.org", "Appl123", "iPhone")
    assert line.protocol_version == "12.1" and line.policy_key == 42
    assert line.params == {"ItemId": "5:1", "CollectionId": "5", "SaveInSent": "T"}
    assert line.save_in_sent


@pytest.mark.parametrize("query", [
    "Cmd=Nope&User=u&DeviceId=a&DeviceType=t",
    "Cmd=Sync&User=u&DeviceType=t",
    "Cmd=Sync&User=u&DeviceId=a-b&DeviceType=t",
    "Cmd=Sync&User=u&DeviceId=a&DeviceType=",
    "Cmd=Sync&Cmd=Ping&DeviceId=a&DeviceType=t",
    "!!!notbase64",
    base64.b64encode(bytes([140, 99, 9, 4, 1, 65, 0, 1, 66])).decode(),  # command 99
    base64.b64encode(bytes([140, 0, 9, 4, 1, 65, 2, 1, 1, 1, 66])).decode(),  # 2-byte key
    base64.b64encode(bytes([140, 0, 9, 4, 9, 65])).decode(),  # truncated id
    base64.b64encode(bytes([140, 0, 9, 4, 1, 65, 0, 1, 66, 5, 1, 0])).decode(),  # param tag 5
    "x" * 5000,
])
def test_bad_queries(query: str) -> None:
    with pytest.raises(QueryError):
        parse_query(query)


def test_bad_policy_key_header() -> None:
    with pytest.raises(QueryError):
        parse_query("Cmd=Sync&User=u&DeviceId=a&DeviceType=t", policy_key="x")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=80))
def test_any_bytes_parse_or_query_error(data: bytes) -> None:
    try:
        parse_query(base64.b64encode(data).decode())
    except QueryError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_parse_or_query_error(text: str) -> None:
    try:
        parse_query(text)
    except QueryError:
        pass
