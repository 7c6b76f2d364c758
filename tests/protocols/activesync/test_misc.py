"""Dates, status constants, Autodiscover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from lxml import etree

from postvak.protocols.activesync import status
from postvak.protocols.activesync.autodiscover import (
    MOBILESYNC_NS,
    REQUEST_NS,
    AutodiscoverError,
    build_autodiscover_error,
    build_autodiscover_response,
    parse_autodiscover_request,
)
from postvak.protocols.activesync.dates import format_compact, format_date, parse_date


def test_date_format() -> None:
    when = datetime(2024, 3, 9, 7, 5, 1, 123456, tzinfo=UTC)
    assert format_date(when) == "2024-03-09T07:05:01.123Z"
    assert format_date(when.astimezone(timezone(timedelta(hours=2)))) == "2024-03-09T07:05:01.123Z"
    assert format_date(datetime(2024, 1, 1)) == "2024-01-01T00:00:00.000Z"
    assert format_compact(when) == "20240309T070501Z"
    assert parse_date("2024-03-09T07:05:01.123Z") == when.replace(microsecond=123000)
    assert parse_date("20240309T070501Z") == when.replace(microsecond=0)
    with pytest.raises(ValueError):
        parse_date("yesterday")


def test_status_constants() -> None:
    assert status.DEVICE_NOT_PROVISIONED == 142 and status.POLICY_REFRESH == 143
    assert status.SYNC_INVALID_SYNCKEY == 3 and status.PING_HEARTBEAT_OUT_OF_RANGE == 5
    assert status.FOLDER_INVALID_SYNCKEY == 9 and status.MOVE_SUCCESS == 3
    assert status.MAXIMUM_DEVICES_REACHED == 177
    assert status.name_of(142) == "DEVICE_NOT_PROVISIONED"
    assert status.name_of(7, "PING_") == "PING_FOLDER_SYNC_REQUIRED"
    assert status.name_of(1) is None  # 1 is not a common code
    # Common codes are unique: a name_of lookup must not be ambiguous.
    common = [v for k, v in vars(status).items()
              if k.isupper() and isinstance(v, int) and v >= 101 and not k.startswith("ITEMOPS_")]
    assert len(common) == len(set(common))


REQUEST = f"""<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="{REQUEST_NS}">
  <Request>
    <EMailAddress>jan@example.org</EMailAddress>
    <AcceptableResponseSchema>{MOBILESYNC_NS}</AcceptableResponseSchema>
  </Request>
</Autodiscover>""".encode()


def test_autodiscover_round() -> None:
    req = parse_autodiscover_request(REQUEST)
    assert req.email == "jan@example.org" and req.wants_mobilesync
    body = build_autodiscover_response(req.email, "Jan", "https://mail.example.org/Microsoft-Server-ActiveSync")
    root = etree.fromstring(body)
    ns = {"r": MOBILESYNC_NS}
    assert root.findtext("r:Response/r:User/r:EMailAddress", namespaces=ns) == "jan@example.org"
    assert root.findtext("r:Response/r:Action/r:Settings/r:Server/r:Type", namespaces=ns) == "MobileSync"
    assert root.findtext("r:Response/r:Action/r:Settings/r:Server/r:Url", namespaces=ns).endswith(
        "/Microsoft-Server-ActiveSync")
    err = etree.fromstring(build_autodiscover_error("no such user"))
    assert err.findtext("r:Response/r:Action/r:Error/r:Status", namespaces=ns) == "1"


@pytest.mark.parametrize("body", [
    b"", b"<x/>", REQUEST.replace(b"jan@example.org", b""), b"<Autodiscover",
    b'<!DOCTYPE a [<!ENTITY e "x">]>' + REQUEST.split(b"?>", 1)[1], b"x" * 20000,
])
def test_autodiscover_refusals(body: bytes) -> None:
    with pytest.raises(AutodiscoverError):
        parse_autodiscover_request(body)
