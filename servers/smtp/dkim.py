"""DKIM signing of outgoing mail (RFC 6376, dkimpy), one RSA 2048 key per local domain.

Keys live in the store's state table (scope "dkim", key = domain), so every
`postvak serve` process sharing one PostgreSQL signs with the same key and the
published record stays right. `postvak domain add` makes the key; `postvak dns`
prints the record (SELECTOR._domainkey.DOMAIN TXT "v=DKIM1; k=rsa; p=...").

Signing happens on the reactor (the submission path calls it synchronously), so it
must not touch the store: `DkimSigner` keeps the keys in memory, loaded at start and
refreshed by a job (servers/core/jobs.py).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from email.utils import getaddresses
from typing import Any

import dkim as dkimpy
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from postvak.protocols.mime.headers import body_offset, split_fields
from postvak.store import state

SCOPE = "dkim"
KEY_BITS = 2048  # RFC 8301 3.2: at least 1024, 2048 recommended
# RFC 6376 5.4.1: the fields a recipient sees and that change meaning when altered.
SIGNED_HEADERS = (
    b"from", b"reply-to", b"subject", b"date", b"to", b"cc", b"message-id", b"in-reply-to",
    b"references", b"mime-version", b"content-type", b"content-transfer-encoding",
)


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    private_pem: bytes = field(repr=False)

    @property
    def public_b64(self) -> str:
        key = serialization.load_pem_private_key(self.private_pem, password=None)
        der = key.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(der).decode("ascii")

    @property
    def record_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def record(self) -> str:
        """RFC 6376 3.6.1 key record."""
        return f"v=DKIM1; k=rsa; p={self.public_b64}"


def generate_key(domain: str, selector: str) -> DkimKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return DkimKey(domain.lower(), selector, pem)


# -- store functions (take tx first; run through store.write / runner.write) ----------
def get_key(tx: Any, domain: str) -> DkimKey | None:
    value = state.get(tx, SCOPE, None, domain.lower())
    if not value:
        return None
    return DkimKey(domain.lower(), value["selector"], value["private_pem"].encode("ascii"))


def put_key(tx: Any, key: DkimKey) -> None:
    state.put(tx, SCOPE, None, key.domain, {"selector": key.selector, "private_pem": key.private_pem.decode()})


def ensure_key(tx: Any, domain: str, selector: str, new_key: DkimKey | None = None) -> DkimKey:
    """The domain's key, made when it has none. Generate `new_key` outside the transaction
    (RSA generation takes a moment) and pass it in; it is used only when needed."""
    found = get_key(tx, domain)
    if found is not None:
        return found
    key = new_key or generate_key(domain, selector)
    put_key(tx, key)
    return key


def all_keys(tx: Any) -> dict[str, DkimKey]:
    return {
        e.key: DkimKey(e.key, e.value["selector"], e.value["private_pem"].encode("ascii"))
        for e in state.list_entries(tx, SCOPE) if e.account_id is None and isinstance(e.value, dict)
    }


# -- signing -------------------------------------------------------------------------
def sign_with(raw: bytes, key: DkimKey) -> bytes:
    """`raw` with a DKIM-Signature field on top (relaxed/relaxed, rsa-sha256)."""
    present = {name.encode() for name, _ in split_fields(raw[: body_offset(raw, 0, len(raw))]) if name}
    include = [h for h in SIGNED_HEADERS if h in present or h == b"from"]
    # Signing a field name once more than it occurs "seals" it (RFC 6376 8.15): nobody can add a second From/Subject.
    include += [h for h in (b"from", b"subject", b"to", b"cc", b"reply-to") if h in present]
    crlf = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    sig = dkimpy.sign(crlf, key.selector.encode(), key.domain.encode(), key.private_pem,
                      canonicalize=(b"relaxed", b"relaxed"), include_headers=include)
    return sig.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + crlf


def from_domain(raw: bytes) -> str | None:
    """The domain of the From: field (RFC 5322), the one DMARC aligns DKIM d= with."""
    for name, data in split_fields(raw[: body_offset(raw, 0, len(raw))]):
        if name == "from":
            value = data.split(b":", 1)[1].decode("utf-8", "replace")
            for _, addr in getaddresses([value]):
                if "@" in addr:
                    return addr.rpartition("@")[2].strip().lower()
    return None


class DkimSigner:
    """In-memory keys of the local domains; `sign(raw, domain)` for the submission path."""

    def __init__(self, keys: dict[str, DkimKey] | None = None) -> None:
        self.keys: dict[str, DkimKey] = dict(keys or {})

    def load(self, store_read: Any) -> None:
        """store_read(fn) -> result; used with store.read (blocking) at start."""
        self.keys = store_read(all_keys)

    def sign(self, raw: bytes, domain: str) -> bytes:
        """Signed when `domain` has a key; unchanged otherwise (a domain added since the
        last refresh is signed from the next refresh on)."""
        key = self.keys.get(domain.lower())
        return sign_with(raw, key) if key is not None else raw

    def sign_for_sender(self, sender: str, raw: bytes) -> bytes:
        """The hook handler.py calls as ctx.extras["dkim_sign"](sender, raw): sign with the
        From: domain (aligned for DMARC), else with the envelope sender's domain."""
        for domain in (from_domain(raw), sender.rpartition("@")[2].lower()):
            if domain and domain in self.keys:
                return self.sign(raw, domain)
        return raw


def sign(raw: bytes, domain: str, key: DkimKey) -> bytes:
    """Module-level form: sign `raw` for `domain` with its key (domain must match the key)."""
    if key.domain != domain.lower():
        raise ValueError(f"key is for {key.domain}, not {domain}")
    return sign_with(raw, key)
