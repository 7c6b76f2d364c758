"""`postvak spam allow|block|train USER ...`: per-user sender lists and manual training."""

from __future__ import annotations

import argparse
from typing import Any

from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.servers.cli.sieve import account_id
from postvak.servers.core import delivery_spam


def register(sub: Any) -> None:
    p = sub.add_parser("spam", help="spam filter: allow/block lists and training")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, helptext in (("allow", "never treat mail from ADDR (or @domain) as spam"),
                           ("block", "always treat mail from ADDR (or @domain) as spam")):
        c = cmds.add_parser(name, help=helptext)
        c.add_argument("user", metavar="USER")
        c.add_argument("address", metavar="ADDR")
        c.set_defaults(run=edit_list, which=name)
    t = cmds.add_parser("train", help="train USER's model (and the global one) with message FILES")
    t.add_argument("user", metavar="USER")
    kind = t.add_mutually_exclusive_group(required=True)
    kind.add_argument("--spam", dest="is_spam", action="store_true")
    kind.add_argument("--ham", dest="is_spam", action="store_false")
    t.add_argument("files", metavar="FILES", nargs="+")
    t.set_defaults(run=train)


def edit_list(ctx: CliContext, args: argparse.Namespace) -> int:
    entry = args.address.strip().lower()
    local, at, domain = entry.rpartition("@")
    if not at or not domain or "." not in domain:
        raise CliError(f"not an address or @domain: {args.address}")
    values = ctx.write(delivery_spam.add_to_list, account_id(ctx, args.user), args.which, entry)
    print(f"{args.which} list of {args.user}: {', '.join(values)}")
    return 0


def train(ctx: CliContext, args: argparse.Namespace) -> int:
    acct = account_id(ctx, args.user)
    for path in args.files:
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise CliError(f"cannot read {path}: {exc}") from None
        ctx.write(delivery_spam.train, acct, raw, args.is_spam)
    print(f"trained {len(args.files)} message(s) as {'spam' if args.is_spam else 'ham'} for {args.user}")
    return 0
