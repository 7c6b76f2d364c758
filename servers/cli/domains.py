"""`postvak domain add|list|remove NAME`."""

from __future__ import annotations

import argparse
from typing import Any

from postvak.servers.cli import validate
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.store import accounts


def register(sub: Any) -> None:
    p = sub.add_parser("domain", help="local mail domains")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = cmds.add_parser("add", help="accept mail for a domain")
    add.add_argument("name", metavar="NAME")
    add.set_defaults(run=add_domain)
    ls = cmds.add_parser("list", help="list local domains, one per line")
    ls.set_defaults(run=list_domains)
    rm = cmds.add_parser("remove", help="remove a domain (with --force: and all its accounts and mail)")
    rm.add_argument("name", metavar="NAME")
    rm.add_argument("--force", action="store_true", help="also remove the accounts in it")
    rm.set_defaults(run=remove_domain)


def add_domain(ctx: CliContext, args: argparse.Namespace) -> int:
    name = validate.domain(args.name)
    ctx.write(accounts.add_domain, name)
    from postvak.servers.cli.dns import make_dkim_key  # DKIM key per domain for outgoing mail

    make_dkim_key(ctx, name)
    print(f"added domain {name} (DNS records to publish: `postvak dns {name}`)")
    return 0


def list_domains(ctx: CliContext, args: argparse.Namespace) -> int:
    for domain in ctx.read(accounts.list_domains):
        print(domain.name)
    return 0


def remove_domain(ctx: CliContext, args: argparse.Namespace) -> int:
    name = validate.domain(args.name)
    if not ctx.read(accounts.is_local_domain, name):
        raise CliError(f"no such domain: {name}")
    users = ctx.read(accounts.list_accounts, name)
    if users and not args.force:
        raise CliError(f"domain {name} has {len(users)} account(s); add --force to remove them and their mail too")
    ctx.write(accounts.remove_domain, name)
    print(f"removed domain {name}" + (f" and {len(users)} account(s)" if users else ""))
    return 0
