"""`postvak serve`: the composition root. One process, one reactor, every listener."""

from __future__ import annotations

import errno
import sys
from typing import Any

from postvak.servers.core.auth import AuthPolicy, AuthService
from postvak.servers.core.bus import ChangeBridge
from postvak.servers.core.context import AsyncioListener, HttpListener, ServerContext, StreamListener
from postvak.servers.core.logs import EventLogger, setup_logging
from postvak.servers.core.registry import server_module
from postvak.servers.core.runner import StoreRunner
from postvak.servers.core.tls import TlsConfigError, load_tls

SHUTDOWN_GRACE_SECONDS = 10.0


class StartupError(Exception):
    """A clear, one-line reason why the server cannot start."""


def _bind_hint(exc: BaseException, port: int) -> str:
    err = getattr(exc, "socketError", None) or exc
    code = getattr(err, "errno", None)
    if code == errno.EACCES or (port < 1024 and "ermission" in str(err)):
        return " (ports below 1024 need root: use `postvak init --port-offset 10000`)"
    if code == errno.EADDRINUSE or "in use" in str(err):
        return " (another program uses this port; stop it or pick another --port-offset)"
    return ""


class App:
    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.log = EventLogger()
        self.ports: list[Any] = []
        self.asyncio_servers: list[Any] = []
        self.ctx: ServerContext | None = None

    def build(self) -> ServerContext:
        from postvak.servers.core.reactor import install_reactor
        from postvak.store import open_store

        reactor, loop = install_reactor()
        self.reactor = reactor
        s = self.settings
        try:
            tls = load_tls(s.tls.cert, s.tls.key, s.tls.min_version)
        except TlsConfigError as exc:
            raise StartupError(str(exc)) from exc
        store = open_store(s.store.url, blob_backend=s.store.blob_backend, blob_dir=s.store.blob_dir, blob_inline_max=s.store.blob_inline_max)
        store.migrate()
        runner = StoreRunner(store, loop, log=self.log)
        policy = AuthPolicy(
            cache_ttl=float(s.auth.cache_ttl),
            cache_size=int(s.auth.cache_size),
            max_failures_per_ip=int(s.auth.max_failures_per_ip),
            failure_delay_base=float(s.auth.failure_delay_base),
            failure_delay_max=float(s.auth.failure_delay_max),
        )
        self.ctx = ServerContext(
            settings=s,
            store=store,
            runner=runner,
            auth=AuthService(runner, policy),
            changes=ChangeBridge(store.changes, loop),
            tls=tls,
            log=self.log,
            loop=loop,
            hostname=s.server.hostname,
        )
        try:
            from postvak.servers.core.delivery import Delivery
        except ModuleNotFoundError:
            pass
        else:
            self.ctx.delivery = Delivery(self.ctx)
        return self.ctx

    def listen(self) -> None:
        assert self.ctx is not None
        from postvak.servers.core.adapter import SessionFactory
        from postvak.servers.core.http import make_site

        s = self.settings
        for name in s.listeners:
            conf = s.listeners[name]
            if not conf.enabled:
                continue
            module = server_module(name)
            if module is None:
                self.log.info("listener.unavailable", listener=name, reason="server not built yet")
                continue
            spec = module.listener(self.ctx, name, conf)
            port = s.effective_port(name)
            implicit = conf.tls == "implicit"
            for host in s.server.listen:
                try:
                    if isinstance(spec, StreamListener):
                        factory = SessionFactory(
                            spec.make_session,
                            listener=name,
                            tls_options=self.ctx.tls.twisted,
                            implicit_tls=implicit,
                            log=self.log,
                            max_connections=int(s.limits.max_connections),
                            max_per_ip=int(s.limits.max_connections_per_ip),
                        )
                        self._listen_twisted(factory, port, host, implicit)
                    elif isinstance(spec, HttpListener):
                        self._listen_twisted(make_site(spec, self.log), port, host, implicit)
                    elif isinstance(spec, AsyncioListener):
                        ssl_ctx = self.ctx.tls.stdlib if implicit else None
                        server = self.ctx.loop.run_until_complete(spec.start(host, port, ssl_ctx))
                        self.asyncio_servers.append(server)
                    else:
                        raise StartupError(f"listener {name}: server module returned {spec!r}")
                except StartupError:
                    raise
                except Exception as exc:
                    raise StartupError(
                        f"cannot listen for {name} on {host}:{port}: {_reason(exc)}{_bind_hint(exc, port)}"
                    ) from exc
                self.log.info("listening", listener=name, address=f"{host}:{port}", tls=conf.tls)

    def _listen_twisted(self, factory: Any, port: int, host: str, implicit: bool) -> None:
        if implicit:
            self.ports.append(self.reactor.listenSSL(port, factory, self.ctx.tls.twisted, interface=host))  # type: ignore[union-attr]
        else:
            self.ports.append(self.reactor.listenTCP(port, factory, interface=host))

    def shutdown(self) -> Any:
        """Stop accepting, let in-flight store work finish (bounded), release the store."""
        from twisted.internet import defer, threads

        self.log.info("shutdown", grace=SHUTDOWN_GRACE_SECONDS)
        waits = [defer.maybeDeferred(p.stopListening) for p in self.ports]
        for server in self.asyncio_servers:
            server.close()
        self.ports.clear()
        ctx = self.ctx

        def finish_store() -> None:
            if ctx is not None:
                ctx.runner.close(SHUTDOWN_GRACE_SECONDS)
                ctx.store.close()

        return defer.DeferredList(waits).addBoth(lambda _: threads.deferToThread(finish_store))

    def cleanup_after_failed_start(self) -> None:
        for p in self.ports:
            p.stopListening()
        for server in self.asyncio_servers:
            server.close()
        if self.ctx is not None:
            self.ctx.runner.close(2.0)
            self.ctx.store.close()


def _reason(exc: BaseException) -> str:
    err = getattr(exc, "socketError", None)
    if err is not None:
        return getattr(err, "strerror", None) or str(err)
    return getattr(exc, "strerror", None) or str(exc)


def serve(settings: Any) -> int:
    setup_logging(getattr(settings.log, "level", "info"))
    app = App(settings)
    try:
        app.build()
        app.listen()
    except StartupError as exc:
        print(f"postvak: {exc}", file=sys.stderr)
        app.cleanup_after_failed_start()
        return 1
    reactor = app.reactor
    reactor.addSystemEventTrigger("before", "shutdown", app.shutdown)
    for hook in _start_jobs(app):
        reactor.addSystemEventTrigger("before", "shutdown", hook)
    app.log.info("ready", hostname=settings.server.hostname, listeners=len(app.ports) + len(app.asyncio_servers))
    reactor.run()  # installs SIGINT/SIGTERM handlers that stop the reactor cleanly
    return 0


def _start_jobs(app: App) -> list[Any]:
    try:
        from postvak.servers.core.jobs import start_jobs
    except ModuleNotFoundError:
        return []
    return start_jobs(app.ctx)
