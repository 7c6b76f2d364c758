"""`postvak group add|list` and `postvak group member add`: groups of accounts
(used for sharing, and as a list address when the name is an address)."""

from __future__ import annotations

import argparse
import re
from typing import Any

from postvak.servers.cli import validate
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.store import accounts

_NAME = re.compile(r"[a-z0-9][a-z0-9._\-]*\Z")


def register(sub: Any) -> None:
    p = sub.add_parser("group", help="groups of accounts")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = cmds.add_parser("add", help="create a group (a name, or an address of a local domain)")
    add.add_argument("name", metavar="NAME")
    add.set_defaults(run=add_group)
    ls = cmds.add_parser("list", help="list groups: name: members")
    ls.set_defaults(run=list_groups)
    member = cmds.add_parser("member", help="group members")
    member_cmds = member.add_subparsers(dest="member_action", metavar="ACTION", required=True)
    madd = member_cmds.add_parser("add", help="add ADDR to GROUP")
    madd.add_argument("group", metavar="GROUP")
    madd.add_argument("address", metavar="ADDR")
    madd.set_defaults(run=add_member)


def group_name(ctx: CliContext, text: str) -> str:
    if "@" in text:
        address = validate.address(text).lower()
        domain = address.rpartition("@")[2]
        if not ctx.read(accounts.is_local_domain, domain):
            raise CliError(f"no such domain: {domain}")
        return address
    name = text.strip().lower()
    if not _NAME.match(name):
        raise CliError(f"not a group name: {text!r} (letters, digits, . _ -)")
    return name


def add_group(ctx: CliContext, args: argparse.Namespace) -> int:
    name = group_name(ctx, args.name)
    ctx.write(accounts.add_group, name)
    print(f"added group {name}")
    return 0


def list_groups(ctx: CliContext, args: argparse.Namespace) -> int:
    for group in ctx.read(accounts.list_groups):
        print(f"{group.name}: {', '.join(group.members)}")
    return 0


def add_member(ctx: CliContext, args: argparse.Namespace) -> int:
    name = args.group.strip().lower()
    address = validate.address(args.address)
    if ctx.read(accounts.get_account, address) is None:
        raise CliError(f"no such account: {address}")
    ctx.write(accounts.add_group_member, name, address)
    print(f"added {address} to group {name}")
    return 0
