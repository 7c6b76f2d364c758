"""`postvak user limits ADDR [--per-day N|default] [--recipients N|default]`: a user's
submission limits (servers/smtp/limits.py). Without options it prints them; 0 means
unlimited, `default` drops the override so the `[submission]` setting applies again.
Running servers read them at each MAIL FROM, so a change applies at once."""

from __future__ import annotations

import argparse
from typing import Any

from postvak.servers.cli import validate
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.store import accounts


def register(sub: Any) -> None:
    # A subcommand of the `user` group (servers/cli/users.py registers it first).
    user = sub.choices.get("user")
    if user is None:
        raise RuntimeError("servers/cli/limits.py must be registered after users.py")
    cmds = next(a for a in user._actions if isinstance(a, argparse._SubParsersAction))
    p = cmds.add_parser("limits", help="show or override a user's submission limits (0: unlimited)")
    p.add_argument("address", metavar="ADDR")
    p.add_argument("--per-day", metavar="N", type=_limit, help="messages per day, or 'default'")
    p.add_argument("--recipients", metavar="N", type=_limit, help="recipients per message, or 'default'")
    p.set_defaults(run=user_limits)


_DEFAULT = -1  # argparse value for "default": drop the override


def _limit(text: str) -> int:
    if text.strip().lower() == "default":
        return _DEFAULT
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r} (a count, 0 for unlimited, or 'default')") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (unlimited) or more")
    return value


def user_limits(ctx: CliContext, args: argparse.Namespace) -> int:
    from postvak.servers.smtp import limits

    address = validate.address(args.address)
    account = ctx.read(accounts.get_account, address)
    if account is None:
        raise CliError(f"no such account: {address}")
    changes: dict[str, int | None] = {}
    for key, value in (("per_day", args.per_day), ("recipients", args.recipients)):
        if value is not None:
            changes[key] = None if value == _DEFAULT else value
    overrides = (ctx.write(limits.set_overrides, account.id, changes) if changes
                 else ctx.read(limits.get_overrides, account.id))
    lim = limits.effective(limits.defaults(ctx.settings), overrides)
    for key, label, value in (("per_day", "messages per day", lim.per_day),
                              ("recipients", "recipients per message", lim.recipients)):
        shown = str(value) if value else "unlimited"
        source = "user" if key in overrides else "default"
        print(f"{label}: {shown} ({source})")
    return 0
