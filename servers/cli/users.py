"""`postvak user add|list|passwd|remove|quota`: mail accounts."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from postvak.servers.cli import validate
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.store import accounts

MIN_PASSWORD = 8


def register(sub: Any) -> None:
    p = sub.add_parser("user", help="mail accounts")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = cmds.add_parser("add", help="create an account with its system folders")
    add.add_argument("address", metavar="ADDR")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.add_argument("--quota", metavar="SIZE", help="storage quota, e.g. 500M, 2G, or none (default: none)")
    add.set_defaults(run=add_user)
    ls = cmds.add_parser("list", help="list accounts: address, used, quota")
    ls.add_argument("domain", metavar="DOMAIN", nargs="?")
    ls.set_defaults(run=list_users)
    pw = cmds.add_parser("passwd", help="set a new password")
    pw.add_argument("address", metavar="ADDR")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    pw.set_defaults(run=passwd)
    rm = cmds.add_parser("remove", help="remove an account with all its mail")
    rm.add_argument("address", metavar="ADDR")
    rm.set_defaults(run=remove_user)
    q = cmds.add_parser("quota", help="set the storage quota (0 or none: unlimited)")
    q.add_argument("address", metavar="ADDR")
    q.add_argument("size", metavar="SIZE")
    q.set_defaults(run=set_quota)


def read_password(from_stdin: bool) -> str:
    """First line of stdin with --password-stdin; otherwise asked twice on a terminal."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise CliError("the two passwords differ")
    else:
        raise CliError("no terminal to ask for the password: pipe it in with --password-stdin")
    if len(password) < MIN_PASSWORD:
        raise CliError(f"password too short: use at least {MIN_PASSWORD} characters")
    return password


def _hash(password: str) -> str:
    from postvak.servers.core.auth import hash_password

    return hash_password(password)


def _require_domain(ctx: CliContext, address: str) -> None:
    domain = address.rpartition("@")[2]
    if not ctx.read(accounts.is_local_domain, domain):
        raise CliError(f"no such domain: {domain}")


def add_user(ctx: CliContext, args: argparse.Namespace) -> int:
    address = validate.address(args.address)
    quota = validate.size(args.quota) if args.quota is not None else None
    _require_domain(ctx, address)
    if ctx.read(accounts.get_account, address) is not None:
        raise CliError(f"account {address} already exists")
    account = ctx.write(accounts.add_account, address, _hash(read_password(args.password_stdin)), quota)
    print(f"added {account.address} (quota {validate.human_size(account.quota_bytes)})")
    return 0


def list_users(ctx: CliContext, args: argparse.Namespace) -> int:
    domain = None
    if args.domain:
        domain = validate.domain(args.domain)
        if not ctx.read(accounts.is_local_domain, domain):
            raise CliError(f"no such domain: {domain}")
    for account in ctx.read(accounts.list_accounts, domain):
        print(f"{account.address}\t{validate.human_size(account.used_bytes)}\t{validate.human_size(account.quota_bytes)}")
    return 0


def passwd(ctx: CliContext, args: argparse.Namespace) -> int:
    address = validate.address(args.address)
    if ctx.read(accounts.get_account, address) is None:
        raise CliError(f"no such account: {address}")
    # Running servers check cached logins against the stored hash: effective at once.
    ctx.write(accounts.set_password_hash, address, _hash(read_password(args.password_stdin)))
    print(f"password changed for {address}")
    return 0


def remove_user(ctx: CliContext, args: argparse.Namespace) -> int:
    address = validate.address(args.address)
    if ctx.read(accounts.get_account, address) is None:
        raise CliError(f"no such account: {address}")
    ctx.write(accounts.remove_account, address)
    print(f"removed {address}")
    return 0


def set_quota(ctx: CliContext, args: argparse.Namespace) -> int:
    address = validate.address(args.address)
    quota = validate.size(args.size)
    if ctx.read(accounts.get_account, address) is None:
        raise CliError(f"no such account: {address}")
    ctx.write(accounts.set_quota, address, quota)
    print(f"quota of {address}: {validate.human_size(quota)}")
    return 0
