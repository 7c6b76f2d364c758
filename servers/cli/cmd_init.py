"""`postvak init DIR`: a config with only what differs from the defaults, a self-signed
certificate, an empty migrated store and the blob folder."""

from __future__ import annotations

import argparse
import json
import os
import socket
from pathlib import Path
from typing import Any

from postvak.config import load_defaults, load_settings
from postvak.servers.cli import validate
from postvak.servers.cli.certs import write_self_signed
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError

CONFIG_NAME = "postvak.toml"


def register(sub: Any) -> None:
    p = sub.add_parser("init", help="create a config, certificate and store in DIR")
    p.add_argument("dir", metavar="DIR", help="folder for postvak.toml and the data (created if missing)")
    p.add_argument("--hostname", help="name this server answers as (default: this machine's name)")
    p.add_argument("--port-offset", type=int, metavar="N", help="add N to every port (e.g. 10000 when not root)")
    p.add_argument("--listen", action="append", metavar="ADDR", help="IP address to listen on (repeatable)")
    p.add_argument("--key-type", choices=("ec", "rsa"), default="ec", help="certificate key: EC P-256 or RSA 2048")
    p.add_argument("--force", action="store_true", help="overwrite an existing config and certificate")
    p.set_defaults(run=run)


def default_hostname() -> str:
    name = socket.getfqdn()
    return name if "." in name and not name.endswith(".localdomain") else "localhost"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


def config_text(server: dict[str, Any]) -> str:
    defaults = load_defaults()["server"]
    lines = [
        "# Postvak configuration, written by `postvak init`.",
        "# Only settings that differ from the defaults are here; every setting, with a",
        "# comment, is in config/defaults.toml of the postvak package. Override any of them",
        "# here or with POSTVAK_<SECTION>__<KEY> environment variables.",
        "",
        "[server]",
    ]
    comments = {
        "hostname": "# Name this server greets with and its certificate is made for.",
        "listen": "# Addresses every listener binds to.",
        "port_offset": "# Added to every standard port (993 -> 993 + offset).",
    }
    for key, value in server.items():
        if value != defaults.get(key) and not (isinstance(value, tuple) and list(value) == defaults.get(key)):
            lines += [comments.get(key, f"# {key}"), f"{key} = {_toml(value)}"]
    return "\n".join(lines) + "\n"


def run(ctx: CliContext, args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    config = folder / CONFIG_NAME
    if config.exists() and not args.force:
        raise CliError(f"{config} already exists; use --force to overwrite it")
    server: dict[str, Any] = {"hostname": validate.domain(args.hostname) if args.hostname else default_hostname()}
    if args.listen:
        server["listen"] = [validate.listen_address(a) for a in args.listen]
    if args.port_offset is not None:
        if not 0 <= args.port_offset <= 60000:
            raise CliError(f"--port-offset: expected 0..60000, got {args.port_offset}")
        server["port_offset"] = args.port_offset
    try:
        folder.mkdir(parents=True, exist_ok=True)
        config.write_text(config_text(server), encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot write {config}: {exc.strerror or exc}") from None
    settings = load_settings(str(config), env=ctx.env)

    cert, key = settings.tls.cert, settings.tls.key
    if args.force or not (os.path.exists(cert) and os.path.exists(key)):
        write_self_signed(settings.server.hostname, cert, key, args.key_type)
        made_cert = True
    else:
        made_cert = False
    if settings.store.blob_backend == "files":
        os.makedirs(settings.store.blob_dir, exist_ok=True)

    from postvak.store import open_store

    store = open_store(settings.store.url, blob_backend=settings.store.blob_backend, blob_dir=settings.store.blob_dir, blob_inline_max=settings.store.blob_inline_max)
    try:
        store.migrate()
    finally:
        store.close()

    print(f"config:      {config}")
    print(f"certificate: {cert}" + ("" if made_cert else " (kept)"))
    print(f"store:       {settings.store.url}")
    ports = ", ".join(f"{name} {settings.effective_port(name)}" for name in settings.listeners
                      if settings.listeners[name].enabled)
    print(f"listeners:   {ports} on {', '.join(settings.server.listen)}")
    print(f"next:        postvak -c {config} domain add example.org; postvak -c {config} serve")
    return 0
