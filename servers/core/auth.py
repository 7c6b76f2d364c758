"""Password hashing and the one authentication service every protocol uses.

argon2id costs tens of milliseconds of CPU per verification, so, as Dovecot's auth
cache does, recent successful verifications are remembered: keyed by an HMAC of
(address, password) under a per-process random key, so the cache never holds a
password or a hash that could be attacked offline. Failures are never cached as
success; they are counted per client IP and answered with a growing delay.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from postvak.store import accounts

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class AuthPolicy:
    cache_ttl: float = 300.0
    cache_size: int = 10_000
    max_failures_per_ip: int = 10
    failure_window: float = 300.0
    failure_delay_base: float = 0.5
    failure_delay_max: float = 15.0


class FailureTracker:
    """Failed logins per IP within a sliding window; delay doubles per failure."""

    def __init__(self, policy: AuthPolicy, clock: Any = time.monotonic) -> None:
        self._policy = policy
        self._clock = clock
        self._failures: dict[str, list[float]] = {}

    def _recent(self, ip: str) -> list[float]:
        cutoff = self._clock() - self._policy.failure_window
        recent = [t for t in self._failures.get(ip, []) if t > cutoff]
        if recent:
            self._failures[ip] = recent
        else:
            self._failures.pop(ip, None)
        return recent

    def record(self, ip: str) -> None:
        self._recent(ip)
        self._failures.setdefault(ip, []).append(self._clock())
        if len(self._failures) > 100_000:  # bounded: forget the oldest IPs
            for key in list(self._failures)[:10_000]:
                del self._failures[key]

    def delay(self, ip: str) -> float:
        count = len(self._recent(ip))
        if count == 0:
            return 0.0
        return min(self._policy.failure_delay_base * 2 ** (count - 1), self._policy.failure_delay_max)

    def blocked(self, ip: str) -> bool:
        return len(self._recent(ip)) >= self._policy.max_failures_per_ip

    def clear(self, ip: str) -> None:
        self._failures.pop(ip, None)


class AuthService:
    def __init__(self, runner: Any, policy: AuthPolicy | None = None, clock: Any = time.monotonic) -> None:
        self._runner = runner
        self.policy = policy or AuthPolicy()
        self._clock = clock
        self._key = os.urandom(32)
        self._cache: OrderedDict[bytes, tuple[str, float, int]] = OrderedDict()
        self.failures = FailureTracker(self.policy, clock)
        self.verifications = 0  # argon2 runs, for tests and metrics

    def _cache_key(self, address: str, password: str) -> bytes:
        message = address.lower().encode() + b"\0" + password.encode("utf-8", "surrogateescape")
        return hmac.new(self._key, message, hashlib.sha256).digest()

    async def verify(self, address: str, password: str, peer_ip: str) -> Any | None:
        """The account when the password is right, else None (after the throttle delay)."""
        if self.failures.blocked(peer_ip):
            await asyncio.sleep(self.policy.failure_delay_max)
            return None
        key = self._cache_key(address, password)
        # One row by its unique address: read on the reactor thread (StoreRunner.read_here).
        account = await self._runner.read_here(accounts.get_account, address.strip().lower())
        cached = self._cache.get(key)
        if cached is not None:
            # A hit still needs the account's current hash to match: a password changed
            # by another process (CLI, other host) invalidates the entry without a flush.
            if account is not None and cached[0] == account.password_hash and cached[1] > self._clock():
                self._cache.move_to_end(key)
                return account
            self._cache.pop(key, None)
        ok = False
        if account is not None and account.password_hash:
            self.verifications += 1
            ok = await self._runner.offload(verify_password, account.password_hash, password)
        else:
            # Same CPU cost for unknown users: no user enumeration by timing.
            await self._runner.offload(verify_password, _DUMMY_HASH, password)
        if not ok or account is None:
            self.failures.record(peer_ip)
            await asyncio.sleep(self.failures.delay(peer_ip))
            return None
        self._cache[key] = (account.password_hash, self._clock() + self.policy.cache_ttl, account.id)
        while len(self._cache) > self.policy.cache_size:
            self._cache.popitem(last=False)
        return account

    def flush_account(self, account_id: int) -> None:
        """Password changed or account removed: drop its cached verifications at once."""
        for key in [k for k, entry in self._cache.items() if entry[2] == account_id]:
            del self._cache[key]

    def flush_all(self) -> None:
        self._cache.clear()


_DUMMY_HASH = hash_password("postvak-dummy-password")
