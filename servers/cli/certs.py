"""A self-signed certificate for `postvak init`, so every TLS listener works out of the box.

EC P-256 by default (fast handshakes, accepted by every current client); RSA 2048
for old clients. The certificate is an end-entity one (CA:FALSE, serverAuth) so
clients that pin it as an exception do not reject it as "a CA used as a server".
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 3650


def _san(hostname: str) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(hostname)))
    except ValueError:
        names.append(x509.DNSName(hostname))
    if hostname != "localhost":
        names.append(x509.DNSName("localhost"))
    for ip in ("127.0.0.1", "::1"):
        if hostname != ip:
            names.append(x509.IPAddress(ipaddress.ip_address(ip)))
    return x509.SubjectAlternativeName(names)


def make_self_signed(hostname: str, key_type: str = "ec") -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM) for `hostname`, localhost and 127.0.0.1, 10 years."""
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if key_type == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif key_type == "ec":
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValueError(f"key type {key_type!r} is not 'ec' or 'rsa'")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname[:64])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))  # tolerate small clock skew
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(_san(hostname), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_encipherment=key_type == "rsa", content_commitment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert_pem, key_pem


def write_self_signed(hostname: str, cert_path: str | Path, key_path: str | Path, key_type: str = "ec") -> None:
    """Write both files; the key is created mode 0600 before any byte of it is written."""
    cert_pem, key_pem = make_self_signed(hostname, key_type)
    for path in (cert_path, key_path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key_pem)
    os.chmod(key_path, 0o600)
    Path(cert_path).write_bytes(cert_pem)
