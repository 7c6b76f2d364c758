"""`postvak dns DOMAIN` through the real command: records in zone-file form, a DKIM key
made by `postvak domain add` and the same key printed every time."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import run_cli


def dns_lines(out: str) -> list[list[str]]:
    return [line.split("\t") for line in out.splitlines() if line and not line.startswith(";")]


def txt_text(value: str) -> str:
    """Zone-file TXT strings ("a" "b") joined, as a resolver hands them to dkimpy."""
    return "".join(re.findall(r'"([^"]*)"', value))


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("dnscli")
    run_cli(None, "init", str(folder), "--hostname", "mail.example.test")
    cfg = folder / "postvak.toml"
    run_cli(cfg, "domain", "add", "example.test")
    yield cfg


def test_prints_mx_spf_dkim_dmarc(config: Path) -> None:
    out = run_cli(config, "dns", "example.test").stdout
    rows = {(name, rtype): value for name, _ttl, _in, rtype, value in dns_lines(out)}
    assert rows[("example.test.", "MX")] == "10 mail.example.test."
    assert txt_text(rows[("example.test.", "TXT")]) == "v=spf1 mx -all"
    dkim = txt_text(rows[("postvak._domainkey.example.test.", "TXT")])
    assert re.fullmatch(r"v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}", dkim)  # RSA 2048 SubjectPublicKeyInfo
    assert all(len(s) <= 255 for s in re.findall(r'"([^"]*)"', rows[("postvak._domainkey.example.test.", "TXT")]))
    dmarc = txt_text(rows[("_dmarc.example.test.", "TXT")])
    assert dmarc.startswith("v=DMARC1; p=quarantine") and "rua=mailto:postmaster@example.test" in dmarc


def test_key_is_stable(config: Path) -> None:
    first = run_cli(config, "dns", "example.test").stdout
    assert run_cli(config, "dns", "EXAMPLE.test").stdout == first


def test_unknown_domain_is_one_line_error(config: Path) -> None:
    proc: subprocess.CompletedProcess[str] = run_cli(config, "dns", "nowhere.test", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "postvak: no such domain: nowhere.test (add it with `postvak domain add nowhere.test`)"
