"""A real `postvak serve` subprocess on free loopback ports, for end-to-end tests.

Everything goes through the real command line: `postvak init` writes the config,
certificate and store; `postvak serve` runs every listener; users are added with
the admin CLI. Clients then talk to it over real sockets and real TLS.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

STANDARD_PORTS = {
    "smtp": 25,
    "submission": 587,
    "submissions": 465,
    "imap": 143,
    "imaps": 993,
    "pop3": 110,
    "pop3s": 995,
    "managesieve": 4190,
    "https": 443,
}
POSTVAK = [sys.executable, "-m", "postvak.servers.cli.main"]
READY_TIMEOUT = 30.0


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_offset(rng: random.Random | None = None) -> int:
    """An offset N such that every standard port + N is free on 127.0.0.1."""
    rng = rng or random.Random()
    for _ in range(200):
        offset = rng.randrange(20000, 60000 - 5000, 10)
        if all(_port_free(p + offset) for p in STANDARD_PORTS.values()):
            return offset
    raise RuntimeError("no free port offset found on 127.0.0.1")


def run_cli(config: Path | None, *args: str, input: str | None = None, env: Mapping[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = list(POSTVAK)
    if config is not None:
        cmd += ["-c", str(config)]
    cmd += list(args)
    proc = subprocess.run(cmd, input=input, capture_output=True, text=True, env=dict(env or os.environ), timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc


class RunningServer:
    host = "127.0.0.1"

    def __init__(self, base: Path, env: Mapping[str, str] | None = None, hostname: str = "mail.example.test") -> None:
        self.dir = base
        self.offset = free_port_offset()
        self.env = {**os.environ, **(env or {})}
        self.hostname = hostname
        run_cli(None, "init", str(base), "--hostname", hostname, "--port-offset", str(self.offset),
                "--listen", self.host, env=self.env)
        self.config = base / "postvak.toml"
        self.log_path = base / "serve.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    # --- lifecycle -------------------------------------------------------------------
    def start(self) -> None:
        self._log = open(self.log_path, "ab")
        self._log_start = self.log_path.stat().st_size
        self.proc = subprocess.Popen(POSTVAK + ["-c", str(self.config), "serve"], stdout=self._log,
                                     stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if "event=ready" in self.log_since_start():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"postvak serve exited {self.proc.returncode}:\n{self.log_since_start()}")
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"postvak serve not ready in {READY_TIMEOUT}s:\n{self.log_since_start()}")

    def log_since_start(self) -> str:
        with open(self.log_path, "rb") as fh:
            fh.seek(self._log_start)
            return fh.read().decode("utf-8", "replace")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"postvak serve did not stop within {timeout}s of SIGTERM") from None
        self._log.close()
        return self.proc.returncode

    def kill(self) -> None:
        """kill -9: no chance to clean up (crash tests)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    # --- helpers ---------------------------------------------------------------------
    def port(self, listener: str) -> int:
        return STANDARD_PORTS[listener] + self.offset

    def cli(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_cli(self.config, *args, input=input, env=self.env, check=check)

    def add_domain(self, domain: str) -> None:
        listed = self.cli("domain", "list").stdout.split()
        if domain not in listed:
            self.cli("domain", "add", domain)

    def add_user(self, address: str, password: str, quota: str | None = None) -> None:
        self.add_domain(address.rsplit("@", 1)[1])
        args = ["user", "add", address, "--password-stdin"]
        if quota:
            args += ["--quota", quota]
        self.cli(*args, input=password + "\n")

    def client_tls_context(self) -> ssl.SSLContext:
        """Trusts exactly this server's self-signed certificate."""
        ctx = ssl.create_default_context(cafile=str(self.cert_path()))
        ctx.check_hostname = False
        return ctx

    def cert_path(self) -> Path:
        for name in ("cert.pem", "tls/cert.pem", "postvak.crt"):
            if (self.dir / name).exists():
                return self.dir / name
        found = sorted(self.dir.rglob("*.pem")) + sorted(self.dir.rglob("*.crt"))
        for path in found:
            if b"BEGIN CERTIFICATE" in path.read_bytes():
                return path
        raise AssertionError(f"no certificate under {self.dir}")

    def open_store(self):  # noqa: ANN201 - a postvak.store.Store on the same database
        from postvak.config.loader import load_settings
        from postvak.store import open_store

        settings = load_settings(str(self.config), env=self.env)
        return open_store(settings.store.url, blob_backend=settings.store.blob_backend,
                          blob_dir=settings.store.blob_dir, blob_inline_max=settings.store.blob_inline_max)
