"""The layer rules of STYLE.md, checked on the AST of every module, and a size budget."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("servers", "filters", "crypto", "store", "protocols", "config")
MAX_LINES = 800

# Which top-level layers each layer may import (itself always allowed).
ALLOWED = {
    "servers": {"servers", "filters", "crypto", "store", "protocols", "config"},
    "filters": {"filters", "protocols", "config"},
    "crypto": {"crypto", "protocols", "config"},
    "store": {"store", "protocols", "config"},
    "protocols": {"protocols", "config"},
    "config": {"config"},
}
ONLY_IN = {  # third-party packages only one place may import
    "sqlalchemy": ("store",),
    "alembic": ("store",),
    "psycopg": ("store",),
    "twisted": ("servers/core",),
    "zope": ("servers/core",),
    "gnupg": ("crypto",),
}
SERVERS = ("imap", "pop3", "smtp", "activesync", "managesieve")
IO_MODULES = {"socket", "asyncio", "selectors", "ssl", "subprocess", "sqlite3", "urllib", "http"}


def modules() -> list[Path]:
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations/versions" not in path.as_posix():
                found.append(path)
    return sorted(found)


def imported_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_there_are_modules_to_check() -> None:
    assert len(modules()) > 10


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_go_down(path: Path) -> None:
    rel = path.relative_to(ROOT).as_posix()
    layer = rel.split("/")[0]
    problems = []
    for name in imported_names(path):
        parts = name.split(".")
        if parts[0] == "postvak" and len(parts) > 1:
            target = parts[1]
            if target not in ALLOWED[layer]:
                problems.append(f"{rel} imports {name}: {layer} may not import {target}")
            if layer == "servers" and target == "servers" and len(parts) > 2:
                mine, theirs = rel.split("/")[1], parts[2]
                if mine in SERVERS and theirs in SERVERS and mine != theirs:
                    problems.append(f"{rel} imports {name}: one server may not import another")
                if mine not in ("core", "cli") and theirs == "cli":
                    problems.append(f"{rel} imports {name}: only the CLI is the CLI")
        top = parts[0]
        if top in ONLY_IN and not any(rel.startswith(p + "/") or rel == p for p in ONLY_IN[top]):
            problems.append(f"{rel} imports {name}: only {', '.join(ONLY_IN[top])} may import {top}")
        if layer == "protocols" and top in IO_MODULES:
            problems.append(f"{rel} imports {name}: protocols/ does no I/O")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_size_budget(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines (budget {MAX_LINES}): split it"
