"""The `postvak` command: argparse front door; one module per command group.

Every failure the admin can cause ends as one line on stderr ("postvak: ...") and
exit code 1 (2 for usage errors); tracebacks only with POSTVAK_DEBUG=1.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from postvak.config import ConfigError
from postvak.servers.cli import (
    aliases,
    cmd_init,
    cmd_serve,
    device,
    dns,
    domains,
    filter,
    footer,
    groups,
    identities,
    limits,
    queue,
    sieve,
    spam,
    status,
    users,
)
from postvak.servers.cli.context import DEFAULT_CONFIG, CliContext
from postvak.servers.cli.errors import CliError

COMMAND_GROUPS = (cmd_init, cmd_serve, domains, users, limits, aliases, identities, groups, status, dns, queue, footer,
                  filter, sieve, spam, device)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line instead of argparse's usage block; `--help` still shows everything.
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> Parser:
    parser = Parser(prog="postvak", description="Postvak mail server: IMAP, POP3, SMTP, ManageSieve, ActiveSync.")
    parser.add_argument("-c", "--config", metavar="CFG",
                        help=f"config file (default: $POSTVAK_CONFIG or {DEFAULT_CONFIG})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=Parser)
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser


def _store_error_types() -> tuple[type[BaseException], ...]:
    from postvak.store.errors import StoreError

    return (StoreError,)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    ctx = CliContext(args.config)
    try:
        return int(args.run(ctx, args))
    except (CliError, ConfigError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the admin gets one line, never a traceback
        if isinstance(exc, _store_error_types()):
            return _fail(str(exc))
        if os.environ.get("POSTVAK_DEBUG"):
            traceback.print_exc()
        return _fail(f"{type(exc).__name__}: {exc}".splitlines()[0] + " (POSTVAK_DEBUG=1 shows details)")
    finally:
        try:
            ctx.close()
        except Exception:  # noqa: BLE001 - closing must not hide the real outcome
            pass


def _fail(message: str) -> int:
    print(f"postvak: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
