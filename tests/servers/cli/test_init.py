"""`postvak init` and config errors, through the real command in a subprocess."""

from __future__ import annotations

import os
import socket
import ssl
import stat
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

from cryptography import x509

POSTVAK = [sys.executable, "-m", "postvak.servers.cli.main"]


def postvak(*args: str, input: str | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(POSTVAK + list(args), input=input, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, cwd=cwd)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("postvak"), lines[0]
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_init_writes_config_cert_and_store(tmp_path: Path) -> None:
    target = tmp_path / "var"
    proc = postvak("init", str(target), "--hostname", "Mail.Example.Test", "--port-offset", "10000",
                   "--listen", "127.0.0.1", "--listen", "::1")
    assert proc.returncode == 0, proc.stderr
    config = target / "postvak.toml"
    data = tomllib.loads(config.read_text())
    # Only what differs from the defaults, each key commented.
    assert data == {"server": {"hostname": "mail.example.test", "listen": ["127.0.0.1", "::1"], "port_offset": 10000}}
    assert config.read_text().count("#") >= 3
    assert (target / "postvak.db").exists()
    assert (target / "blobs").is_dir()
    assert stat.S_IMODE((target / "key.pem").stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate((target / "cert.pem").read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "mail.example.test" in san.get_values_for_type(x509.DNSName)
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert any(str(ip) == "127.0.0.1" for ip in san.get_values_for_type(x509.IPAddress))
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert lifetime.days >= 3649
    assert "imaps 10993" in proc.stdout
    # The new store is usable at once.
    assert postvak("-c", str(config), "domain", "list").returncode == 0


def test_generated_certificate_serves_tls(tmp_path: Path) -> None:
    assert postvak("init", str(tmp_path), "--hostname", "mail.example.test").returncode == 0
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"))
    client_ctx = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))  # hostname checked too
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve_one() -> None:
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(b"ok")

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with client_ctx.wrap_socket(raw, server_hostname="mail.example.test") as tls:
                assert tls.recv(2) == b"ok"
    finally:
        thread.join(10)
        listener.close()


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    assert postvak("init", str(tmp_path), "--hostname", "a.example.test").returncode == 0
    before = (tmp_path / "postvak.toml").read_text()
    assert_one_line_error(postvak("init", str(tmp_path), "--hostname", "b.example.test"), 1,
                          "already exists", "--force")
    assert (tmp_path / "postvak.toml").read_text() == before
    cert_before = (tmp_path / "cert.pem").read_bytes()
    proc = postvak("init", str(tmp_path), "--hostname", "b.example.test", "--force", "--key-type", "rsa")
    assert proc.returncode == 0, proc.stderr
    assert "b.example.test" in (tmp_path / "postvak.toml").read_text()
    assert (tmp_path / "cert.pem").read_bytes() != cert_before


def test_init_bad_arguments(tmp_path: Path) -> None:
    assert_one_line_error(postvak("init", str(tmp_path), "--listen", "not-an-ip"), 1, "not an IP address")
    assert_one_line_error(postvak("init", str(tmp_path), "--hostname", "bad_host!"), 1, "not a domain name")
    assert_one_line_error(postvak("init", str(tmp_path), "--port-offset", "x"), 2, "--port-offset")


def test_bad_config_value_names_the_key(tmp_path: Path) -> None:
    assert postvak("init", str(tmp_path)).returncode == 0
    config = tmp_path / "postvak.toml"
    config.write_text(config.read_text() + '\n[limits]\nline_length = "abc"\n')
    assert_one_line_error(postvak("-c", str(config), "domain", "list"), 1,
                          "postvak.toml: limits.line_length: expected an integer >= 512, got 'abc'")
    proc = postvak("-c", str(config), "serve")
    assert_one_line_error(proc, 1, "limits.line_length")


def test_bad_env_override_names_the_variable(tmp_path: Path) -> None:
    assert postvak("init", str(tmp_path)).returncode == 0
    proc = postvak("-c", str(tmp_path / "postvak.toml"), "domain", "list",
                   env={"POSTVAK_LISTENERS__IMAPS__PORT": "huge"})
    assert_one_line_error(proc, 1, "POSTVAK_LISTENERS__IMAPS__PORT", "listeners.imaps.port")


def test_config_path_from_env_and_default(tmp_path: Path) -> None:
    assert postvak("init", str(tmp_path / "var")).returncode == 0
    # -c defaults to ./var/postvak.toml ...
    assert postvak("domain", "add", "one.example", cwd=tmp_path, env={"POSTVAK_CONFIG": ""}).returncode == 0
    # ... or $POSTVAK_CONFIG.
    proc = postvak("domain", "list", env={"POSTVAK_CONFIG": str(tmp_path / "var" / "postvak.toml")})
    assert proc.stdout.split() == ["one.example"]
    assert_one_line_error(postvak("domain", "list", cwd=tmp_path / "var", env={"POSTVAK_CONFIG": ""}), 1,
                          "no such file", "postvak init")


def test_missing_store_is_not_created_by_accident(tmp_path: Path) -> None:
    config = tmp_path / "postvak.toml"
    config.write_text('[server]\nhostname = "x.example"\n')
    assert_one_line_error(postvak("-c", str(config), "domain", "list"), 1, "no store at", "postvak init")
    assert not (tmp_path / "postvak.db").exists()


def test_usage_errors_exit_2() -> None:
    assert_one_line_error(postvak(), 2, "required")
    assert_one_line_error(postvak("frobnicate"), 2, "invalid choice")
    assert_one_line_error(postvak("user", "add"), 2, "ADDR")
    help_text = postvak("--help")
    assert help_text.returncode == 0
    for command in ("init", "serve", "domain", "user", "alias", "identity", "group", "status"):
        assert command in help_text.stdout
