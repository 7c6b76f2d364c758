"""`postvak alias add|list|remove`: extra addresses delivering to one or more targets."""

from __future__ import annotations

import argparse
from typing import Any

from postvak.servers.cli import validate
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.store import accounts


def register(sub: Any) -> None:
    p = sub.add_parser("alias", help="aliases and catch-alls (@domain)")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = cmds.add_parser("add", help="deliver mail for ALIAS to TARGET...")
    add.add_argument("alias", metavar="ALIAS", help="an address of a local domain, or @domain for a catch-all")
    add.add_argument("targets", metavar="TARGET", nargs="+", help="local or external addresses")
    add.set_defaults(run=add_alias)
    ls = cmds.add_parser("list", help="list aliases: alias -> targets")
    ls.set_defaults(run=list_aliases)
    rm = cmds.add_parser("remove", help="remove an alias")
    rm.add_argument("alias", metavar="ALIAS")
    rm.set_defaults(run=remove_alias)


def add_alias(ctx: CliContext, args: argparse.Namespace) -> int:
    alias = validate.alias_address(args.alias)
    targets = [validate.address(t) for t in args.targets]
    domain = alias.rpartition("@")[2]
    if not ctx.read(accounts.is_local_domain, domain):
        raise CliError(f"no such domain: {domain}")
    if ctx.read(accounts.get_account, alias) is not None:
        raise CliError(f"{alias} is an account; an alias cannot shadow it")
    ctx.write(accounts.add_alias, alias, targets)
    print(f"added alias {alias} -> {', '.join(targets)}")
    return 0


def list_aliases(ctx: CliContext, args: argparse.Namespace) -> int:
    for alias in ctx.read(accounts.list_aliases):
        print(f"{alias.alias} -> {', '.join(alias.targets)}")
    return 0


def remove_alias(ctx: CliContext, args: argparse.Namespace) -> int:
    alias = validate.alias_address(args.alias)
    ctx.write(accounts.remove_alias, alias)
    print(f"removed alias {alias}")
    return 0
