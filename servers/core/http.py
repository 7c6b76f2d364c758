"""twisted.web <-> plain async handler, so servers/activesync needs no Twisted."""

from __future__ import annotations

import asyncio
from typing import Any

from twisted.internet.defer import Deferred
from twisted.web import http, resource, server

from postvak.servers.core.context import HttpListener, HttpRequest, HttpResponse
from postvak.servers.core.logs import EventLogger


class _AsyncResource(resource.Resource):
    isLeaf = True

    def __init__(self, listener: HttpListener, log: EventLogger) -> None:
        super().__init__()
        self._listener = listener
        self._log = log

    def render(self, request: Any) -> Any:
        length = request.getHeader(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self._listener.max_body):
            request.setResponseCode(413)
            return b""
        body = request.content.read() if request.content is not None else b""
        plain = HttpRequest(
            method=request.method.decode("latin-1"),
            path=request.path.decode("latin-1"),
            query=request.uri.partition(b"?")[2],
            headers={k.decode("latin-1").lower(): v[-1].decode("latin-1") for k, v in request.requestHeaders.getAllRawHeaders()},
            body=body,
            peer_host=getattr(request.getClientAddress(), "host", ""),
            is_tls=request.isSecure(),
        )
        task = asyncio.ensure_future(self._listener.handler(plain))
        finished = request.notifyFinish()
        finished.addErrback(lambda _: task.cancel())  # client went away (e.g. a parked Ping)

        def respond(response: HttpResponse) -> None:
            if request.finished or request._disconnected:
                return
            request.setResponseCode(response.status)
            for name, value in response.headers:
                request.setHeader(name.encode("latin-1"), value.encode("latin-1"))
            request.setHeader(b"content-length", str(len(response.body)).encode())
            if response.body and request.method != b"HEAD":
                request.write(response.body)
            request.finish()

        def failed(failure: Any) -> None:
            if isinstance(failure.value, asyncio.CancelledError):
                return
            self._log.error("http.handler_error", error=repr(failure.value), path=plain.path)
            respond(HttpResponse(500))

        Deferred.fromFuture(task).addCallbacks(respond, failed)
        return server.NOT_DONE_YET


TOO_LARGE = b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _BoundedRequest(server.Request):
    """A body over ``max_body`` is refused while it arrives: twisted.web otherwise reads
    all of it (into a temporary file past 100 KB) before render() sees the length, so a
    client announcing 100 GB was answered only after sending them, the disk filling."""

    max_body = 0  # set per site by make_site
    _refused = False
    _received = 0

    def gotLength(self, length: int | None) -> None:
        if length is not None and length > self.max_body:
            self._refuse()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        if self._refused:
            return
        self._received += len(data)
        if self._received > self.max_body:  # chunked bodies announce no length
            self._refuse()
            return
        super().handleContentChunk(data)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        if not self._refused:  # refused: answered already, the connection is closing
            super().requestReceived(command, path, version)

    def _refuse(self) -> None:
        # RFC 9110 15.5.14: 413, and close, as the rest of the body will not be read.
        self._refused = True
        super().gotLength(0)  # an empty buffer for twisted to hold; nothing more is written to it
        channel: Any = self.channel
        channel.transport.write(TOO_LARGE)
        channel.loseConnection()


HEADER_TOO_LARGE = b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _Channel(http.HTTPChannel):
    """twisted.web's channel, answering a header line over MAX_LENGTH (16 KB) with 431 and a
    close (RFC 6585 5). LineReceiver only called transport.loseConnection(), which over TLS,
    with the channel still registered as the transport's producer, never closed: the client
    waited for ever."""

    def lineLengthExceeded(self, line: bytes) -> None:
        transport: Any = self.transport
        transport.write(HEADER_TOO_LARGE)
        self.loseConnection()  # unregisters the producer first, so TLS can shut down


def _bounded(limit: int) -> type[server.Request]:
    class BoundedRequest(_BoundedRequest):
        max_body = limit

    return BoundedRequest


def make_site(listener: HttpListener, log: EventLogger) -> server.Site:
    site = server.Site(_AsyncResource(listener, log))
    site.requestFactory = _bounded(listener.max_body)
    # HTTP/1.1 only, as ActiveSync speaks (no HTTP/2 negotiation); twisted types it as its factory.
    site.protocol = _Channel  # type: ignore[method-assign,assignment]
    site.displayTracebacks = False
    site.noisy = False
    return site
