"""`postvak footer set DOMAIN [TEXT|-] | show DOMAIN | clear DOMAIN`: the forced footer
(disclaimer) appended to mail submitted from a domain (servers/smtp/footer.py)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from postvak.servers.cli import validate
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.store import accounts


def register(sub: Any) -> None:
    p = sub.add_parser("footer", help="per-domain footer added to submitted mail")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    s = cmds.add_parser("set", help="set the footer (TEXT, or '-' / nothing: read standard input)")
    s.add_argument("name", metavar="DOMAIN")
    s.add_argument("text", metavar="TEXT", nargs="?", default="-")
    s.set_defaults(run=set_footer)
    for name, fn, text in (("show", show_footer, "print the footer"), ("clear", clear_footer, "remove the footer")):
        c = cmds.add_parser(name, help=text)
        c.add_argument("name", metavar="DOMAIN")
        c.set_defaults(run=fn)


def _domain(ctx: CliContext, name: str) -> str:
    domain = validate.domain(name)
    if not ctx.read(accounts.is_local_domain, domain):
        raise CliError(f"no such domain: {domain}")
    return domain


def set_footer(ctx: CliContext, args: argparse.Namespace) -> int:
    from postvak.servers.smtp import footer

    domain = _domain(ctx, args.name)
    text = sys.stdin.read() if args.text == "-" else args.text
    if not text.strip():
        raise CliError("the footer is empty (use `postvak footer clear` to remove it)")
    ctx.write(footer.set_footer, domain, text)
    print(f"footer set for {domain} (running servers use it within a minute)")
    return 0


def show_footer(ctx: CliContext, args: argparse.Namespace) -> int:
    from postvak.servers.smtp import footer

    text = ctx.read(footer.get_footer, _domain(ctx, args.name))
    print(text if text else "(no footer)")
    return 0


def clear_footer(ctx: CliContext, args: argparse.Namespace) -> int:
    from postvak.servers.smtp import footer

    domain = _domain(ctx, args.name)
    ctx.write(footer.set_footer, domain, None)
    print(f"footer removed for {domain}")
    return 0
