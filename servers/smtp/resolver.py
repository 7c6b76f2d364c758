"""One DNS resolver for SPF, DKIM and DMARC, configured from `[dns]` so tests can
point it at a loopback server. Blocking (dnspython); callers run it off the loop, or
on it through `cached_only` when every answer it needs is cached.

Answers are cached (name, type) -> rdata like any MTA's stub cache: positive ones for
their TTL (at most MAX_TTL), negative ones (NXDOMAIN, no data) for the zone's SOA
minimum (RFC 2308 5), or NEGATIVE_TTL when the answer carried no SOA. Without the
negative cache every message from a domain without DMARC repeats its lookups.
Timeouts are never cached: the next message tries again.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import dns.exception
import dns.rdatatype
import dns.resolver

MAX_TTL = 3600.0  # seconds; a long TTL must not pin a changed record for a day
NEGATIVE_TTL = 30.0  # seconds; negative answer without SOA (RFC 2308 5 allows none)
CACHE_SIZE = 4096  # (name, type) entries
T = TypeVar("T")


class TtlCache:
    """A small thread-safe LRU of (name, qtype) -> (expires, rdata list)."""

    def __init__(self, size: int = CACHE_SIZE, clock: Any = time.monotonic) -> None:
        self.size = size
        self.clock = clock
        self._data: OrderedDict[tuple[str, str], tuple[float, list[Any]]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple[str, str]) -> list[Any] | None:
        entry = self.entry(key)
        return None if entry is None else entry[1]

    def entry(self, key: tuple[str, str]) -> tuple[float, list[Any]] | None:
        """(expires, rdata) of a live entry, on this cache's clock."""
        with self._lock:
            hit = self._data.get(key)
            if hit is None or hit[0] <= self.clock():
                if hit is not None:
                    del self._data[key]
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return hit

    def put(self, key: tuple[str, str], rdata: list[Any], ttl: float) -> float:
        """Cache for `ttl` seconds (at most MAX_TTL); returns when it expires (now for ttl <= 0,
        which is not cached)."""
        now = self.clock()
        if ttl <= 0:
            return now
        expires = now + min(ttl, MAX_TTL)
        with self._lock:
            self._data[key] = (expires, rdata)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return expires


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
        self.resolver.cache = None  # our TtlCache below also keeps negative answers
        self.cache = TtlCache()
        self._local = threading.local()  # cached_only's mode and derived's earliest expiry, per thread
        self._derived: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._derived_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Any) -> Dns:
        conf = getattr(settings, "dns", None) if settings is not None else None
        if conf is None:
            return cls()
        return cls(tuple(conf.nameservers), int(conf.port), float(conf.timeout))

    def query(self, name: str, qtype: str) -> list[Any]:
        """The answer's rdata; [] for NXDOMAIN / no data; TempDnsError when DNS fails."""
        key = (name.lower().rstrip("."), qtype.upper())
        entry = self.cache.entry(key)
        if entry is not None:
            self._used(entry[0])
            return entry[1]
        if getattr(self._local, "cache_only", False):
            self._local.missed = True
            raise TempDnsError(f"DNS {qtype} {name}: not cached")
        try:
            answer = self.resolver.resolve(name, qtype, lifetime=self.timeout, search=False,
                                           raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN as exc:
            self._used(self.cache.put(key, [], _negative_ttl(_nx_response(exc))))
            return []
        except dns.resolver.NoAnswer:
            self._used(self.cache.clock())
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise TempDnsError(f"DNS {qtype} {name}: {exc}") from exc
        except dns.exception.DNSException:
            self._used(self.cache.clock())
            return []  # malformed name and the like: no data
        if answer.rrset is None:  # no data for this type
            self._used(self.cache.put(key, [], _negative_ttl(answer.response)))
            return []
        rdata = list(answer.rrset)
        self._used(self.cache.put(key, rdata, float(answer.rrset.ttl)))
        return rdata

    def _used(self, expires: float) -> None:
        """An answer that expires then went into what `derived` is computing on this thread."""
        earliest = getattr(self._local, "earliest", None)
        if earliest is not None and expires < earliest:
            self._local.earliest = expires

    def derived(self, key: Hashable, compute: Callable[[], T], keep: Callable[[T], bool]) -> T:
        """compute(), a value that depends on `key` and DNS answers alone, reused for the same
        key until the first answer it was computed from expires (`keep` says which values
        may be kept: not those of a DNS failure)."""
        memo = self._derived
        now = self.cache.clock()
        with self._derived_lock:
            hit = memo.get(key)
            if hit is not None and hit[0] > now:
                memo.move_to_end(key)
                return hit[1]  # type: ignore[no-any-return]
        local = self._local
        outer = getattr(local, "earliest", None)
        local.earliest = math.inf
        try:
            value = compute()
            earliest = local.earliest
        finally:
            # A derived value computed inside another one: the outer one used these answers too.
            local.earliest = outer if outer is None else min(outer, local.earliest)
        if keep(value) and earliest > self.cache.clock():
            with self._derived_lock:
                memo[key] = (earliest, value)
                memo.move_to_end(key)
                while len(memo) > self.cache.size:
                    memo.popitem(last=False)
        return value

    def cached_only(self, fn: Callable[[], T]) -> T | None:
        """fn() on this thread with every lookup answered from the cache (nothing blocks):
        its result, or None when a lookup was not cached (fn then saw a DNS failure: run it
        again the usual way, off the loop). Most mail comes from senders seen minutes ago."""
        local = self._local
        local.cache_only, local.missed = True, False
        try:
            result = fn()
        except Exception:
            if local.missed:
                return None
            raise
        finally:
            local.cache_only = False
        return None if local.missed else result

    def stats(self) -> tuple[int, int]:
        """(cache hits, misses), for the benchmark and the log."""
        return self.cache.hits, self.cache.misses

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


def _negative_ttl(response: Any) -> float:
    """RFC 2308 5: min(SOA TTL, SOA MINIMUM) of the authority section; NEGATIVE_TTL without one."""
    for rrset in getattr(response, "authority", None) or ():
        if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
            return float(min(rrset.ttl, rrset[0].minimum))
    return NEGATIVE_TTL


def _nx_response(exc: Any) -> Any:
    try:
        return exc.response(exc.qnames()[0])
    except (KeyError, IndexError, AttributeError):
        return None
