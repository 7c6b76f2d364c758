"""`postvak sieve put|get|activate|list USER ...`: a user's Sieve scripts as text."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from postvak.filters import sieve as engine
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.store import accounts
from postvak.store import sieve as store_sieve


def register(sub: Any) -> None:
    p = sub.add_parser("sieve", help="a user's Sieve scripts (RFC 5228), as ManageSieve sees them")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    put = cmds.add_parser("put", help="store script NAME from FILE (or stdin), compile-checked")
    put.add_argument("user", metavar="USER")
    put.add_argument("name", metavar="NAME")
    put.add_argument("file", metavar="FILE", nargs="?", help="default: read stdin")
    put.add_argument("--activate", action="store_true", help="make it the active script too")
    put.set_defaults(run=put_script)
    get = cmds.add_parser("get", help="print script NAME")
    get.add_argument("user", metavar="USER")
    get.add_argument("name", metavar="NAME")
    get.set_defaults(run=get_script)
    act = cmds.add_parser("activate", help="make NAME the active script (\"\" deactivates all)")
    act.add_argument("user", metavar="USER")
    act.add_argument("name", metavar="NAME")
    act.set_defaults(run=activate)
    ls = cmds.add_parser("list", help="list scripts, the active one marked with *")
    ls.add_argument("user", metavar="USER")
    ls.set_defaults(run=list_scripts)


def account_id(ctx: CliContext, user: str) -> int:
    acct = ctx.read(accounts.get_account, user.strip().lower())
    if acct is None:
        raise CliError(f"no such user: {user}")
    return int(acct.id)


def check(ctx: CliContext, acct: int, name: str, text: str) -> None:
    """Compile as delivery will (includes from the user's other scripts); CliError on failure."""
    others = {s.name: s.content for s in ctx.read(store_sieve.list_scripts, acct)}
    size = int(ctx.settings.sieve.get("max_script_size", 65536))
    if len(text.encode()) > size:
        raise CliError(f"script larger than sieve.max_script_size ({size} bytes)")
    try:
        engine.compile(text, name=name, limits=engine.Limits(max_script_size=size),
                       loader=lambda n, loc: others.get(n) if loc == "personal" else None)
    except engine.SieveSyntaxError as exc:
        raise CliError(f"script {name}: {exc}") from None


def put_script(ctx: CliContext, args: argparse.Namespace) -> int:
    acct = account_id(ctx, args.user)
    if args.file:
        try:
            with open(args.file, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"cannot read {args.file}: {exc}") from None
    else:
        text = sys.stdin.read()
    check(ctx, acct, args.name, text)
    existing = {s.name for s in ctx.read(store_sieve.list_scripts, acct)}
    limit = int(ctx.settings.sieve.get("max_scripts", 16))
    if args.name not in existing and len(existing) >= limit:
        raise CliError(f"{args.user} has {len(existing)} scripts already (sieve.max_scripts = {limit})")
    ctx.write(store_sieve.put_script, acct, args.name, text)
    if args.activate:
        ctx.write(store_sieve.activate, acct, args.name)
    print(f"stored script {args.name} for {args.user}" + (" (active)" if args.activate else ""))
    return 0


def get_script(ctx: CliContext, args: argparse.Namespace) -> int:
    script = ctx.read(store_sieve.get_script, account_id(ctx, args.user), args.name)
    sys.stdout.write(script.content if script.content.endswith("\n") else script.content + "\n")
    return 0


def activate(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.write(store_sieve.activate, account_id(ctx, args.user), args.name or None)
    print(f"active script of {args.user}: {args.name or '(none)'}")
    return 0


def list_scripts(ctx: CliContext, args: argparse.Namespace) -> int:
    for s in ctx.read(store_sieve.list_scripts, account_id(ctx, args.user)):
        print(f"{'*' if s.active else ' '} {s.name}")
    return 0
