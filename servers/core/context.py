"""What the composition root hands each protocol server (no Twisted in here, so
servers/<proto> may import it)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from postvak.servers.core.logs import EventLogger


@dataclass
class ServerContext:
    settings: Any
    store: Any
    runner: Any  # StoreRunner: await runner.read(fn, ...), await runner.write(fn, ...)
    auth: Any  # AuthService
    changes: Any  # ChangeBridge: subscribe(account_id, callback) on the reactor thread
    tls: Any  # TlsContexts (.stdlib for asyncio servers)
    log: EventLogger
    loop: asyncio.AbstractEventLoop
    hostname: str
    delivery: Any = None  # Delivery pipeline, set by the app once built
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StreamListener:
    """A line protocol served through servers/core/adapter.py: one session per connection."""

    make_session: Callable[[], Any]


@dataclass(frozen=True)
class AsyncioListener:
    """A server that runs on the asyncio loop itself (aiosmtpd): start(host, port, ssl) -> server."""

    start: Callable[[str, int, Any], Awaitable[Any]]


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    query: bytes
    headers: dict[str, str]  # lower-cased names
    body: bytes
    peer_host: str
    is_tls: bool


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass(frozen=True)
class HttpListener:
    """An HTTP(S) endpoint: handler(request) -> HttpResponse, awaited on the reactor."""

    handler: Callable[[HttpRequest], Awaitable[HttpResponse]]
    max_body: int = 60 * 1024 * 1024
