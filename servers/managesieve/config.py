"""ManageSieve settings, read once per listener from `[sieve]`, `[auth]` and the listener."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from postvak.protocols.managesieve import SieveLimits


def _get(settings: Any, section: str, key: str, default: Any) -> Any:
    try:
        value = getattr(getattr(settings, section), key)
    except AttributeError:
        return default
    return default if value is None else value


@dataclass(frozen=True)
class SieveConfig:
    hostname: str = "localhost"
    starttls: bool = True
    plaintext_on_loopback: bool = True
    max_scripts: int = 16
    max_script_size: int = 65536
    max_redirects: int = 4
    max_failed_logins: int = 3
    idle_timeout: float = 1800.0
    limits: SieveLimits = SieveLimits()

    @classmethod
    def from_settings(cls, settings: Any, conf: Any, hostname: str) -> SieveConfig:
        size = int(_get(settings, "sieve", "max_script_size", 65536))
        return cls(
            hostname=hostname,
            starttls=getattr(conf, "tls", "starttls") == "starttls",
            plaintext_on_loopback=bool(_get(settings, "auth", "plaintext_on_loopback", True)),
            max_scripts=int(_get(settings, "sieve", "max_scripts", 16)),
            max_script_size=size,
            max_redirects=int(_get(settings, "sieve", "max_redirects", 4)),
            max_failed_logins=int(_get(settings, "imap", "max_failed_logins", 3)),
            idle_timeout=float(_get(settings, "imap", "idle_timeout", 1800)),
            # Literals up to the script quota (plus slack for a CRLF) after login.
            limits=SieveLimits(max_literal=size + 2),
        )
