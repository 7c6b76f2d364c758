"""The self-signed certificate made by `postvak init`."""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from postvak.servers.cli.certs import make_self_signed, write_self_signed


@pytest.mark.parametrize(("key_type", "key_class"), [("ec", ec.EllipticCurvePublicKey), ("rsa", rsa.RSAPublicKey)])
def test_key_types_and_names(key_type: str, key_class: type) -> None:
    cert_pem, key_pem = make_self_signed("mail.example.org", key_type)
    cert = x509.load_pem_x509_certificate(cert_pem)
    assert isinstance(cert.public_key(), key_class)
    if key_type == "rsa":
        assert cert.public_key().key_size == 2048  # type: ignore[union-attr]
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["mail.example.org", "localhost"]
    assert ipaddress.ip_address("127.0.0.1") in san.get_values_for_type(x509.IPAddress)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert cert.issuer == cert.subject
    assert b"PRIVATE KEY" in key_pem


def test_ip_hostname_goes_into_ip_san() -> None:
    cert = x509.load_pem_x509_certificate(make_self_signed("192.0.2.7")[0])
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("192.0.2.7") in san.get_values_for_type(x509.IPAddress)


def test_bad_key_type() -> None:
    with pytest.raises(ValueError):
        make_self_signed("x.example", "dsa")


def test_key_file_is_private(tmp_path: Path) -> None:
    write_self_signed("x.example", tmp_path / "tls" / "cert.pem", tmp_path / "tls" / "key.pem")
    assert stat.S_IMODE((tmp_path / "tls" / "key.pem").stat().st_mode) == 0o600
    assert (tmp_path / "tls" / "cert.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
