"""Twisted protocol <-> session object.

A session is plain Python with `connection_made(io)`, `data_received(data)` and
`connection_lost()`; it never sees Twisted. `SessionIO` is all it may do to the
connection: write (with back-pressure through `drain()`), start TLS, close.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twisted.internet import interfaces, protocol
from twisted.protocols.tls import TLSMemoryBIOProtocol
from zope.interface import implementer

from postvak.servers.core.logs import EventLogger

_session_ids = itertools.count(1)
TLS_CLOSE_GRACE_SECONDS = 0.2
HELD_MAX = 64 * 1024  # held writes go out once they reach this much (bounded memory per session)


@dataclass(frozen=True)
class Peer:
    host: str
    port: int

    @property
    def is_loopback(self) -> bool:
        try:
            return ipaddress.ip_address(self.host.split("%")[0]).is_loopback
        except ValueError:
            return False


class SessionIO:
    """What a session may do to its connection."""

    def __init__(self, adapter: SessionProtocol) -> None:
        self._adapter = adapter

    @property
    def peer(self) -> Peer:
        return self._adapter.peer

    @property
    def local_port(self) -> int:
        return self._adapter.local_port

    @property
    def is_tls(self) -> bool:
        return self._adapter.tls_active

    @property
    def is_loopback(self) -> bool:
        return self._adapter.peer.is_loopback

    @property
    def session_id(self) -> str:
        return self._adapter.session_id

    @property
    def log(self) -> EventLogger:
        return self._adapter.log

    @property
    def closed(self) -> bool:
        return self._adapter.closed

    def write(self, data: bytes) -> None:
        self._adapter.write(data)

    def hold(self) -> None:
        """From now on writes are held until ``push()`` (or 64 KiB), then sent as one write:
        one TLS record per reply instead of one per line. ``drain``, ``start_tls`` and
        ``close`` push first, so held bytes never wait behind them."""
        self._adapter.hold()

    def push(self) -> None:
        """Send the held writes now (writes stay held afterwards)."""
        self._adapter.push()

    async def drain(self) -> None:
        """Wait until the transport buffer has room (the peer reads slower than we write)."""
        self._adapter.push()
        paused = self._adapter.paused
        if paused is not None:
            await paused.wait()

    def start_tls(self) -> None:
        """Switch to TLS; bytes written before this call go out in the clear first."""
        self._adapter.start_tls()

    def close(self) -> None:
        self._adapter.close()

    def pause_reading(self) -> None:
        self._adapter.raw_transport.pauseProducing()

    def resume_reading(self) -> None:
        self._adapter.raw_transport.resumeProducing()


@implementer(interfaces.IPushProducer)
class SessionProtocol(protocol.Protocol):
    def __init__(self, session: Any, tls_options: Any, implicit_tls: bool, listener: str, log: EventLogger):
        self.session = session
        self.tls_options = tls_options
        self.tls_active = implicit_tls
        self.listener = listener
        self.session_id = f"{listener}-{next(_session_ids)}"
        self.log = log.bind(session=self.session_id)
        self.closed = False
        # Set while the transport's write buffer is full; made on the first pause only, as
        # most connections never fill it (issue #3: memory per idle connection).
        self.paused: asyncio.Event | None = None
        self.peer = Peer("", 0)
        self.local_port = 0
        self.held: list[bytes] | None = None  # see SessionIO.hold
        self.held_size = 0

    @property
    def raw_transport(self) -> Any:
        # zope interfaces confuse mypy; the transport is a plain object here.
        return self.transport

    def connectionMade(self) -> None:
        address = self.raw_transport.getPeer()
        self.peer = Peer(getattr(address, "host", ""), getattr(address, "port", 0))
        self.local_port = getattr(self.raw_transport.getHost(), "port", 0)
        # Replies are request/response: with Nagle on, a reply written in two pieces waits
        # for the client's delayed ACK before its tail goes out (bench_imap: STORE p50 60 -> 30 ms).
        set_nodelay = getattr(self.raw_transport, "setTcpNoDelay", None)
        if set_nodelay is not None:
            set_nodelay(True)
        self.raw_transport.registerProducer(self, True)
        self.log.info("connect", listener=self.listener, peer=f"{self.peer.host}:{self.peer.port}", tls=self.tls_active)
        self._guard(self.session.connection_made, SessionIO(self))

    def dataReceived(self, data: bytes) -> None:
        self._guard(self.session.data_received, data)

    def connectionLost(self, reason: Any = None) -> None:
        self.closed = True
        self._release_writers()
        self.log.info("disconnect", listener=self.listener)
        self._guard(self.session.connection_lost)

    def _guard(self, fn: Callable[..., Any], *args: Any) -> None:
        # A session bug must not take the reactor down: log it and drop this connection only.
        try:
            fn(*args)
        except Exception:
            self.log.error("session.crash", exc_info=True)
            self.close()

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        held = self.held
        if held is None:
            self.raw_transport.write(data)
            return
        held.append(data)
        self.held_size += len(data)
        if self.held_size >= HELD_MAX:
            self.push()

    def hold(self) -> None:
        if self.held is None:
            self.held = []

    def push(self) -> None:
        held = self.held
        if not held:
            return
        data = b"".join(held)
        held.clear()
        self.held_size = 0
        if self.closed:
            return
        # Twisted's TLS transport aggregates small writes and sends them from a timer on the
        # next reactor turn (a DelayedCall per reply, and the reply waits a turn). Held
        # writes are already one write per reply: it goes straight to the TLS connection.
        # Every write of a holding session comes here, so nothing waits in the aggregator.
        transport = self.raw_transport
        tls = transport if isinstance(transport, TLSMemoryBIOProtocol) else None
        if tls is None and getattr(transport, "TLS", False):  # listenSSL / startTLS: the layer is the transport's protocol
            tls = getattr(transport, "protocol", None)
        if isinstance(tls, TLSMemoryBIOProtocol):
            TLSMemoryBIOProtocol.write(tls, data)
        else:
            transport.write(data)

    def start_tls(self) -> None:
        if self.tls_active:
            return
        self.push()  # the reply to STARTTLS goes out in the clear, before the handshake
        self.raw_transport.startTLS(self.tls_options)
        self.tls_active = True
        self.log.info("starttls")

    def close(self) -> None:
        if self.closed:
            return
        self.push()
        self.raw_transport.loseConnection()
        if self.tls_active:
            # Twisted's TLS close waits for the peer's close_notify; many clients
            # (mbsync, fetchmail) instead wait for us to close the socket after BYE.
            from twisted.internet import reactor as _reactor

            reactor: Any = _reactor

            reactor.callLater(TLS_CLOSE_GRACE_SECONDS, self._abort_if_open)

    def _abort_if_open(self) -> None:
        # Close the TCP connection beneath TLS (a FIN after our close_notify and any
        # buffered data), not abortConnection, which resets it and makes clients
        # report "connection reset by peer".
        if not self.closed:
            tcp = getattr(self.raw_transport, "transport", None)
            (tcp or self.raw_transport).loseConnection()

    # IPushProducer: the transport tells us when its write buffer is full.
    def pauseProducing(self) -> None:
        if self.paused is None and not self.closed:
            self.paused = asyncio.Event()

    def resumeProducing(self) -> None:
        self._release_writers()

    def stopProducing(self) -> None:
        self._release_writers()

    def _release_writers(self) -> None:
        paused, self.paused = self.paused, None
        if paused is not None:
            paused.set()  # writers waiting in drain() go on


class SessionFactory(protocol.ServerFactory):
    """Makes one SessionProtocol per connection; enforces connection limits."""

    def __init__(
        self,
        make_session: Callable[[], Any],
        *,
        listener: str,
        tls_options: Any,
        implicit_tls: bool,
        log: EventLogger,
        max_connections: int = 5000,
        max_per_ip: int = 100,
    ) -> None:
        self.make_session = make_session
        self.listener = listener
        self.tls_options = tls_options
        self.implicit_tls = implicit_tls
        self.log = log
        self.max_connections = max_connections
        self.max_per_ip = max_per_ip
        self.connections: dict[str, int] = {}
        self.total = 0

    def buildProtocol(self, addr: Any) -> protocol.Protocol | None:
        host = getattr(addr, "host", "")
        if self.total >= self.max_connections or self.connections.get(host, 0) >= self.max_per_ip:
            self.log.warning("connect.refused", listener=self.listener, peer=host, reason="connection limit")
            # Not None: the TLS wrapper of implicit-TLS listeners cannot handle it and
            # would leave the socket open; this protocol drops the connection at once.
            return _Refused()
        proto = _CountingProtocol(self, self.make_session(), self.tls_options, self.implicit_tls, self.listener, self.log)
        self.total += 1
        self.connections[host] = self.connections.get(host, 0) + 1
        proto._counted_host = host
        return proto

    def release(self, host: str) -> None:
        self.total -= 1
        left = self.connections.get(host, 1) - 1
        if left <= 0:
            self.connections.pop(host, None)
        else:
            self.connections[host] = left


class _CountingProtocol(SessionProtocol):
    def __init__(self, factory: SessionFactory, *args: Any) -> None:
        super().__init__(*args)
        self._factory = factory
        self._counted_host = ""

    def connectionLost(self, reason: Any = None) -> None:
        self._factory.release(self._counted_host)
        super().connectionLost(reason)


class _Refused(protocol.Protocol):
    """Over the connection limit: close without a word (no TLS handshake is owed)."""

    def connectionMade(self) -> None:
        transport: Any = self.transport
        tcp = getattr(transport, "transport", None)  # beneath TLS, when wrapped
        (tcp or transport).abortConnection()
