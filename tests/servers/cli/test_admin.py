"""Domain, user, alias, identity and group commands through the real `postvak` command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTVAK = [sys.executable, "-m", "postvak.servers.cli.main"]


class Cli:
    def __init__(self, config: Path) -> None:
        self.config = config

    def __call__(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(POSTVAK + ["-c", str(self.config), *args], input=input, capture_output=True,
                              text=True, timeout=120, env=dict(os.environ))

    def ok(self, *args: str, input: str | None = None) -> str:
        proc = self(*args, input=input)
        assert proc.returncode == 0, (args, proc.stderr)
        assert proc.stderr == ""
        return proc.stdout

    def fails(self, *args: str, input: str | None = None, code: int = 1) -> str:
        proc = self(*args, input=input)
        assert proc.returncode == code, (args, proc.returncode, proc.stdout, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("postvak"), proc.stderr
        return lines[0]


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    folder = tmp_path_factory.mktemp("cli")
    proc = subprocess.run(POSTVAK + ["init", str(folder), "--hostname", "mail.example.test"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    yield Cli(folder / "postvak.toml")


def test_domains(cli: Cli) -> None:
    cli.ok("domain", "add", "Example.Test")
    cli.ok("domain", "add", "other.test")
    assert cli.ok("domain", "list").split() == ["example.test", "other.test"]
    assert "already exists" in cli.fails("domain", "add", "example.test")
    assert "not a domain name" in cli.fails("domain", "add", "bad domain")
    assert cli.fails("domain", "remove", "example.org") == "postvak: no such domain: example.org"
    cli.ok("domain", "remove", "other.test")
    assert cli.ok("domain", "list").split() == ["example.test"]


def test_users(cli: Cli) -> None:
    cli.ok("domain", "add", "users.test")
    cli.ok("user", "add", "alice@users.test", "--password-stdin", "--quota", "500M", input="alice-secret-1\n")
    cli.ok("user", "add", "Bob@Users.Test", "--password-stdin", input="bob-secret-1\n")
    listing = cli.ok("user", "list", "users.test").splitlines()
    assert [line.split("\t")[0] for line in listing] == ["alice@users.test", "bob@users.test"]
    assert listing[0].split("\t")[2] == "500.0 MiB" and listing[1].split("\t")[2] == "unlimited"
    assert "already exists" in cli.fails("user", "add", "alice@users.test", "--password-stdin", input="another-pw1\n")
    assert cli.fails("user", "add", "carol@example.org", "--password-stdin", input="carol-secret\n") == \
        "postvak: no such domain: example.org"
    assert "not a mail address" in cli.fails("user", "add", "no-at-sign", "--password-stdin", input="pw-long-1\n")
    assert "not a mail address" in cli.fails("user", "add", "a b@users.test", "--password-stdin", input="pw-long-1\n")
    assert "not a size" in cli.fails("user", "add", "dave@users.test", "--password-stdin", "--quota", "lots",
                                     input="dave-secret-1\n")
    assert "too short" in cli.fails("user", "add", "erin@users.test", "--password-stdin", input="x\n")
    assert "--password-stdin" in cli.fails("user", "add", "erin@users.test", input="")
    assert "erin@users.test" not in cli.ok("user", "list")  # nothing half-made on failure

    cli.ok("user", "quota", "alice@users.test", "2G")
    assert "2.0 GiB" in cli.ok("user", "list", "users.test").splitlines()[0]
    cli.ok("user", "quota", "alice@users.test", "none")
    assert cli.ok("user", "list", "users.test").splitlines()[0].endswith("unlimited")
    assert "not a size" in cli.fails("user", "quota", "alice@users.test", "-5")
    assert cli.fails("user", "quota", "ghost@users.test", "1G") == "postvak: no such account: ghost@users.test"
    assert cli.fails("user", "list", "nowhere.test") == "postvak: no such domain: nowhere.test"


def test_passwd_changes_the_stored_hash(cli: Cli) -> None:
    from postvak.config import load_settings
    from postvak.servers.core.auth import verify_password
    from postvak.store import accounts, open_store

    cli.ok("domain", "add", "pw.test")
    cli.ok("user", "add", "pat@pw.test", "--password-stdin", input="first-password\n")
    cli.ok("user", "passwd", "pat@pw.test", "--password-stdin", input="second-password\n")
    settings = load_settings(str(cli.config), env={})
    store = open_store(settings.store.url, blob_backend=settings.store.blob_backend, blob_dir=settings.store.blob_dir)
    try:
        account = store.read(accounts.get_account, "pat@pw.test")
        assert account.password_hash.startswith("$argon2id$")
        assert verify_password(account.password_hash, "second-password")
        assert not verify_password(account.password_hash, "first-password")
    finally:
        store.close()
    assert "no such account" in cli.fails("user", "passwd", "nobody@pw.test", "--password-stdin", input="whatever-1\n")


def test_remove_user_and_domain_with_accounts(cli: Cli) -> None:
    cli.ok("domain", "add", "gone.test")
    cli.ok("user", "add", "x@gone.test", "--password-stdin", input="x-secret-123\n")
    cli.ok("user", "add", "y@gone.test", "--password-stdin", input="y-secret-123\n")
    cli.ok("user", "remove", "x@gone.test")
    assert "x@gone.test" not in cli.ok("user", "list")
    assert "no such account" in cli.fails("user", "remove", "x@gone.test")
    assert "--force" in cli.fails("domain", "remove", "gone.test")
    cli.ok("domain", "remove", "gone.test", "--force")
    assert "y@gone.test" not in cli.ok("user", "list")


def test_aliases(cli: Cli) -> None:
    cli.ok("domain", "add", "alias.test")
    cli.ok("user", "add", "ann@alias.test", "--password-stdin", input="ann-secret-1\n")
    cli.ok("alias", "add", "sales@alias.test", "ann@alias.test", "boss@elsewhere.example")
    cli.ok("alias", "add", "@alias.test", "ann@alias.test")
    listing = cli.ok("alias", "list")
    assert "sales@alias.test -> ann@alias.test, boss@elsewhere.example" in listing
    assert "@alias.test -> ann@alias.test" in listing
    assert "already exists" in cli.fails("alias", "add", "sales@alias.test", "ann@alias.test")
    assert cli.fails("alias", "add", "x@unknown.test", "ann@alias.test") == "postvak: no such domain: unknown.test"
    assert "not a mail address" in cli.fails("alias", "add", "y@alias.test", "not an address")
    assert "is an account" in cli.fails("alias", "add", "ann@alias.test", "x@elsewhere.example")
    assert cli.fails("alias", "add", "z@alias.test", code=2)
    cli.ok("alias", "remove", "@alias.test")
    assert "@alias.test ->" not in cli.ok("alias", "list").replace("sales@alias.test", "")
    assert "no alias" in cli.fails("alias", "remove", "@alias.test")


def test_identities(cli: Cli) -> None:
    cli.ok("domain", "add", "id.test")
    cli.ok("user", "add", "ida@id.test", "--password-stdin", input="ida-secret-1\n")
    cli.ok("identity", "add", "ida@id.test", "info@id.test")
    cli.ok("identity", "add", "ida@id.test", "ida@private.example")
    assert cli.ok("identity", "list", "ida@id.test").split() == ["ida@private.example", "info@id.test"]
    assert "already exists" in cli.fails("identity", "add", "ida@id.test", "info@id.test")
    assert "no such account" in cli.fails("identity", "add", "nobody@id.test", "x@id.test")
    assert "not a mail address" in cli.fails("identity", "add", "ida@id.test", "@@")


def test_groups(cli: Cli) -> None:
    cli.ok("domain", "add", "group.test")
    cli.ok("user", "add", "gus@group.test", "--password-stdin", input="gus-secret-1\n")
    cli.ok("user", "add", "gwen@group.test", "--password-stdin", input="gwen-secret-1\n")
    cli.ok("group", "add", "Office")
    cli.ok("group", "add", "team@group.test")
    cli.ok("group", "member", "add", "office", "gus@group.test")
    cli.ok("group", "member", "add", "office", "gwen@group.test")
    listing = cli.ok("group", "list").splitlines()
    assert "office: gus@group.test, gwen@group.test" in listing
    assert "team@group.test: " in [line + " " if line.endswith(":") else line for line in listing]
    assert "already exists" in cli.fails("group", "add", "office")
    assert "already in group" in cli.fails("group", "member", "add", "office", "gus@group.test")
    assert "no group" in cli.fails("group", "member", "add", "nosuch", "gus@group.test")
    assert "no such account" in cli.fails("group", "member", "add", "office", "ghost@group.test")
    assert "not a group name" in cli.fails("group", "add", "bad name!")
    assert "no such domain" in cli.fails("group", "add", "list@unknown.test")


def test_status(cli: Cli) -> None:
    cli.ok("domain", "add", "status.test")
    out = cli.ok("status")
    fields = dict(line.split(":", 1) for line in out.splitlines())
    assert int(fields["domains"]) >= 1
    assert int(fields["accounts"]) >= 0
    for key in ("messages", "queue", "database size", "blob size", "store"):
        assert key in fields
