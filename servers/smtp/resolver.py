"""One DNS resolver for SPF, DKIM and DMARC, configured from `[dns]` so tests can
point it at a loopback server. Blocking (dnspython); callers run it off the loop."""

from __future__ import annotations

from typing import Any

import dns.exception
import dns.resolver


class TempDnsError(Exception):
    """Timeout or no server answered: the check's result is temperror, not fail."""


class Dns:
    def __init__(self, nameservers: tuple[str, ...] = (), port: int = 53, timeout: float = 5.0) -> None:
        if nameservers:
            self.resolver = dns.resolver.Resolver(configure=False)
            self.resolver.nameservers = list(nameservers)
            self.resolver.port = int(port)
        else:
            try:
                self.resolver = dns.resolver.Resolver()
            except dns.resolver.NoResolverConfiguration:
                self.resolver = dns.resolver.Resolver(configure=False)
                self.resolver.nameservers = ["127.0.0.1"]
        self.timeout = float(timeout)
        self.resolver.lifetime = self.timeout
        self.resolver.timeout = min(self.timeout, 2.0)
        self.resolver.cache = dns.resolver.LRUCache(4096)

    @classmethod
    def from_settings(cls, settings: Any) -> Dns:
        conf = getattr(settings, "dns", None) if settings is not None else None
        if conf is None:
            return cls()
        return cls(tuple(conf.nameservers), int(conf.port), float(conf.timeout))

    def query(self, name: str, qtype: str) -> list[Any]:
        """The answer's rdata; [] for NXDOMAIN / no data; TempDnsError when DNS fails."""
        try:
            answer = self.resolver.resolve(name, qtype, lifetime=self.timeout, search=False,
                                           raise_on_no_answer=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise TempDnsError(f"DNS {qtype} {name}: {exc}") from exc
        except dns.exception.DNSException:
            return []  # malformed name and the like: no data
        return list(answer.rrset or [])

    def txt(self, name: str) -> list[bytes]:
        return [b"".join(r.strings) for r in self.query(name, "TXT")]

    # -- adapters for the libraries -------------------------------------------------
    def dkim_txt(self, name: bytes | str, timeout: float = 5) -> bytes | None:
        """dkimpy's dnsfunc: the first TXT string of `name`, or None."""
        import dkim  # dkimpy: only here and in checks.py

        text = name.decode() if isinstance(name, bytes) else name
        try:
            records = self.txt(text)
        except TempDnsError as exc:
            raise dkim.DnsTimeoutError(str(exc)) from exc
        return records[0] if records else None

    def spf_lookup(self, name: str, qtype: str, strict: bool = True, timeout: float = 20) -> list[Any]:
        """pyspf's DNSLookup contract: [((name, qtype), value), ...]."""
        import spf

        try:
            rdata = self.query(name, qtype)
        except TempDnsError as exc:
            raise spf.TempError(str(exc)) from exc
        out: list[Any] = []
        for r in rdata:
            if qtype in ("A", "AAAA"):
                out.append(((name, qtype), r.address))
            elif qtype == "MX":
                out.append(((name, qtype), (r.preference, r.exchange)))
            elif qtype == "PTR":
                out.append(((name, qtype), r.target.to_text(True)))
            elif qtype in ("TXT", "SPF"):
                out.append(((name, qtype), r.strings))
            elif qtype == "CNAME":
                out.append(((name, qtype), r.target.to_text(True)))
        return out
