"""`postvak identity add|list`: other sender addresses an account may use."""

from __future__ import annotations

import argparse
from typing import Any

from postvak.servers.cli import validate
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.store import accounts


def register(sub: Any) -> None:
    p = sub.add_parser("identity", help="sender addresses of an account")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = cmds.add_parser("add", help="let USER send as ADDR")
    add.add_argument("user", metavar="USER")
    add.add_argument("address", metavar="ADDR")
    add.set_defaults(run=add_identity)
    ls = cmds.add_parser("list", help="list the identities of USER")
    ls.add_argument("user", metavar="USER")
    ls.set_defaults(run=list_identities)


def _account(ctx: CliContext, text: str) -> Any:
    address = validate.address(text)
    account = ctx.read(accounts.get_account, address)
    if account is None:
        raise CliError(f"no such account: {address}")
    return account


def add_identity(ctx: CliContext, args: argparse.Namespace) -> int:
    account = _account(ctx, args.user)
    identity = ctx.write(accounts.add_identity, account.address, validate.address(args.address))
    print(f"{account.address} may send as {identity.address}")
    return 0


def list_identities(ctx: CliContext, args: argparse.Namespace) -> int:
    account = _account(ctx, args.user)
    for identity in ctx.read(accounts.list_identities, account.id):
        print(identity.address)
    return 0
