"""What a POP3 listener needs from the settings, read once at start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from postvak.protocols.pop3 import Pop3Limits


@dataclass(frozen=True)
class Pop3Config:
    hostname: str = "localhost"
    stls: bool = False  # port 110: offer STLS (RFC 2595 4); 995 is TLS from the first byte
    plaintext_on_loopback: bool = True
    idle_timeout: float = 600.0  # RFC 1939 3: at least 10 minutes
    max_failed_logins: int = 3  # per connection, then we hang up
    lock_ttl: float = 120.0  # seconds a maildrop lock outlives a crashed process
    limits: Pop3Limits = Pop3Limits()

    @classmethod
    def from_settings(cls, settings: Any, listener_conf: Any) -> Pop3Config:
        pop3 = settings.section("pop3")
        return cls(
            hostname=str(settings.server.hostname),
            stls=listener_conf.tls == "starttls",
            plaintext_on_loopback=bool(settings.auth.plaintext_on_loopback),
            idle_timeout=float(pop3.get("idle_timeout", 600)),
            max_failed_logins=int(pop3.get("max_failed_logins", 3)),
            lock_ttl=float(pop3.get("lock_ttl", 120)),
        )
