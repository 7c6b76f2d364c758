"""The ``Received:`` trace header (RFC 5321 4.4) with RFC 3848 / RFC 6531 protocol types."""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime


@dataclass(frozen=True)
class TlsInfo:
    version: str  # e.g. "TLSv1.3"
    cipher: str  # e.g. "TLS_AES_256_GCM_SHA384"
    bits: int | None = None


def with_protocol(*, esmtp: bool = True, tls: bool = False, auth: bool = False, utf8: bool = False) -> str:
    """RFC 3848 2 (ESMTPS, ESMTPA, ESMTPSA) and RFC 6531 3.7.3 (UTF8SMTP...)."""
    if not esmtp:
        return "SMTP"  # plain HELO; no registered TLS/AUTH variant exists for it
    base = "UTF8SMTP" if utf8 else "ESMTP"
    return base + ("S" if tls else "") + ("A" if auth else "")


# Lone surrogates are the bytes aiosmtpd could not decode as UTF-8 (surrogateescape).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f()\\\ud800-\udfff]")


def _clean(text: str) -> str:
    # Peer-supplied words (HELO name) must not break the header, its comments or its encoding.
    return _UNSAFE.sub("?", text)[:255]


@functools.lru_cache(maxsize=2)
def _stamp(second: int) -> str:
    """The date of a second: every message received within it has the same (50 us each)."""
    return format_datetime(datetime.fromtimestamp(second, UTC))


def build_received(
    *,
    helo: str,
    peer_ip: str,
    by_host: str,
    protocol: str,
    peer_host: str | None = None,
    queue_id: str | None = None,
    for_addr: str | None = None,
    tls: TlsInfo | None = None,
    authenticated: bool = False,
    date: datetime | None = None,
) -> bytes:
    """One folded header line ending in CRLF, ready to prepend to the message.

    The authenticated user is deliberately not named: submission clients'
    privacy. Only the fact of authentication shows, through ``protocol``.
    """
    literal = f"IPv6:{peer_ip}" if ":" in peer_ip else peer_ip
    # RFC 5321 4.4: From-domain = "FROM" FWS Extended-Domain; TCP-info in a comment
    tcp_info = f"{_clean(peer_host)} [{literal}]" if peer_host else f"[{literal}]"
    parts = [f"from {_clean(helo) or '[' + literal + ']'} ({tcp_info})", f"by {by_host}"]
    tls_comment = ""
    if tls is not None:
        bits = f" ({tls.bits} bits)" if tls.bits else ""
        tls_comment = f" (using {_clean(tls.version)} with cipher {_clean(tls.cipher)}{bits})"
    parts.append(f"with {protocol}{tls_comment}")
    if queue_id:
        parts.append(f"id {queue_id}")
    if for_addr:
        parts.append(f"for <{_clean(for_addr)}>")
    when = format_datetime(date) if date is not None else _stamp(int(time.time()))
    value = "\r\n\t".join(parts) + f";\r\n\t{when}"
    return f"Received: {value}\r\n".encode()
