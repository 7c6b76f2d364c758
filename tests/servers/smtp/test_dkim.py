"""DKIM signing: keys made by `postvak domain add`, records printed by `postvak dns`,
signatures checked by dkimpy against a loopback DNS server serving that record."""

from __future__ import annotations

import re
from collections.abc import Iterator

import dkim as dkimpy
import pytest

from postvak.config import load_settings
from postvak.servers.smtp import dkim
from postvak.servers.smtp.resolver import Dns
from postvak.store import open_store
from tests.servers.smtp.dns_responder import DnsResponder
from tests.support.server import run_cli

MSG = (b"From: Alice <alice@example.test>\r\nTo: bob@remote.test\r\nSubject: signed\r\n"
       b"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <s1@example.test>\r\n\r\nHello Bob.\r\n")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dkim.DkimKey, Dns]]:
    folder = tmp_path_factory.mktemp("dkim")
    run_cli(None, "init", str(folder), "--hostname", "mail.example.test")
    cfg = folder / "postvak.toml"
    run_cli(cfg, "domain", "add", "example.test")
    out = run_cli(cfg, "dns", "example.test").stdout
    zone = DnsResponder()
    for line in out.splitlines():
        if line.startswith(";"):
            continue
        name, _ttl, _in, rtype, value = line.split("\t")
        if rtype == "TXT":
            zone.add(name, "TXT", "".join(re.findall(r'"([^"]*)"', value)))
    settings = load_settings(cfg)
    store = open_store(settings.store.url, blob_backend=settings.store.blob_backend, blob_dir=settings.store.blob_dir)
    try:
        key = store.read(dkim.get_key, "example.test")
    finally:
        store.close()
    assert key is not None
    yield key, Dns(("127.0.0.1",), zone.port, 2.0)
    zone.close()


def test_signature_verifies_against_published_record(setup: tuple[dkim.DkimKey, Dns]) -> None:
    key, resolver = setup
    signed = dkim.sign(MSG, "example.test", key)
    assert signed.endswith(MSG) and signed.startswith(b"DKIM-Signature:")
    assert b"d=example.test" in signed and b"s=postvak" in signed and b"c=relaxed/relaxed" in signed
    assert dkimpy.verify(signed, dnsfunc=resolver.dkim_txt)


def test_tampering_breaks_signature(setup: tuple[dkim.DkimKey, Dns]) -> None:
    key, resolver = setup
    signed = dkim.sign(MSG, "example.test", key)
    assert not dkimpy.verify(signed.replace(b"Hello Bob.", b"Hello Eve."), dnsfunc=resolver.dkim_txt)
    # From is sealed: a second From added on top does not verify
    assert not dkimpy.verify(b"From: mallory@evil.test\r\n" + signed, dnsfunc=resolver.dkim_txt)


def test_signer_uses_from_domain_and_skips_foreign(setup: tuple[dkim.DkimKey, Dns]) -> None:
    key, resolver = setup
    signer = dkim.DkimSigner({"example.test": key})
    signed = signer.sign_for_sender("alice@example.test", MSG.replace(b"\r\n", b"\n"))
    assert dkimpy.verify(signed, dnsfunc=resolver.dkim_txt)
    foreign = MSG.replace(b"alice@example.test", b"x@elsewhere.test")
    assert signer.sign_for_sender("x@elsewhere.test", foreign) == foreign
    assert signer.sign(MSG, "other.test") == MSG


def test_key_for_other_domain_refused(setup: tuple[dkim.DkimKey, Dns]) -> None:
    key, _ = setup
    with pytest.raises(ValueError):
        dkim.sign(MSG, "other.test", key)


def test_generated_key_is_rsa_2048() -> None:
    from cryptography.hazmat.primitives import serialization

    key = dkim.generate_key("Example.Test", "sel")
    assert key.domain == "example.test" and key.record_name == "sel._domainkey.example.test"
    assert serialization.load_pem_private_key(key.private_pem, None).key_size == 2048  # type: ignore[union-attr]
