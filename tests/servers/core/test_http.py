"""servers/core/http.py: a request body over the listener's limit is refused with 413
while it arrives, before twisted.web spools it (Content-Length or chunked)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport

from postvak.servers.core.context import HttpListener, HttpResponse
from postvak.servers.core.http import make_site
from postvak.servers.core.logs import EventLogger

LIMIT = 1000


def _channel() -> tuple[Any, StringTransport, list[bytes]]:
    seen: list[bytes] = []

    async def handler(request: Any) -> HttpResponse:  # never reached by a refused request
        seen.append(request.body)
        return HttpResponse(200, (), b"ok")

    site = make_site(HttpListener(handler, max_body=LIMIT), EventLogger())
    proto = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 40000))
    transport = StringTransport(peerAddress=IPv4Address("TCP", "127.0.0.1", 40000))
    proto.makeConnection(transport)
    return proto, transport, seen


def test_content_length_over_the_limit_is_answered_413_before_the_body() -> None:
    proto, transport, seen = _channel()
    proto.dataReceived(b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999\r\n\r\nabc")
    assert transport.value().startswith(b"HTTP/1.1 413 ")
    assert transport.disconnecting
    proto.dataReceived(b"more body bytes")  # whatever still arrives is dropped
    assert seen == []


def test_chunked_body_growing_over_the_limit_is_answered_413() -> None:
    proto, transport, seen = _channel()
    proto.dataReceived(b"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (600, b"a" * 600)
    proto.dataReceived(chunk)
    assert transport.value() == b""  # 600 octets: under the limit so far
    proto.dataReceived(chunk + b"0\r\n\r\n")
    assert transport.value().startswith(b"HTTP/1.1 413 ")
    assert transport.disconnecting and seen == []


@pytest.mark.parametrize("length", [0, LIMIT])
def test_bodies_up_to_the_limit_are_read(length: int) -> None:
    proto, transport, seen = _channel()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        proto.dataReceived(b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % length + b"b" * length)
        loop.run_until_complete(asyncio.sleep(0))  # the handler task runs
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    assert seen == [b"b" * length]
    assert not transport.disconnecting


def test_header_line_over_the_limit_is_answered_431_and_closed() -> None:
    proto, transport, seen = _channel()
    proto.dataReceived(b"POST /x HTTP/1.1\r\nHost: h\r\nX-Junk: " + b"j" * 20000 + b"\r\n\r\n")
    assert transport.value().startswith(b"HTTP/1.1 431 ")
    assert transport.disconnecting and seen == []
    assert transport.producer is None  # unregistered: a TLS transport could not close otherwise
