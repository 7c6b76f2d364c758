"""TLS contexts from the configured certificate: one for Twisted listeners (pyOpenSSL)
and one stdlib `ssl.SSLContext` for the asyncio servers (aiosmtpd)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twisted.internet import ssl as tssl


class TlsConfigError(Exception):
    pass


@dataclass(frozen=True)
class TlsContexts:
    twisted: Any  # twisted.internet.ssl.CertificateOptions
    stdlib: ssl.SSLContext


def load_tls(cert_path: str | Path, key_path: str | Path, min_version: str = "TLSv1.2") -> TlsContexts:
    try:
        cert_pem = Path(cert_path).read_bytes()
        key_pem = Path(key_path).read_bytes()
    except OSError as exc:
        raise TlsConfigError(f"tls: cannot read certificate or key: {exc}") from exc
    try:
        private = tssl.PrivateCertificate.loadPEM(cert_pem + b"\n" + key_pem)
    except Exception as exc:  # pyOpenSSL raises its own error types
        raise TlsConfigError(f"tls: certificate/key do not load: {exc}") from exc
    raise_min = {"TLSv1.2": tssl.TLSVersion.TLSv1_2, "TLSv1.3": tssl.TLSVersion.TLSv1_3}
    if min_version not in raise_min:
        raise TlsConfigError(f"tls.min_version: expected TLSv1.2 or TLSv1.3, got {min_version!r}")
    options = private.options()
    options = tssl.CertificateOptions(
        privateKey=options.privateKey,
        certificate=options.certificate,
        raiseMinimumTo=raise_min[min_version],
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2 if min_version == "TLSv1.2" else ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(str(cert_path), str(key_path))
    return TlsContexts(twisted=options, stdlib=context)
