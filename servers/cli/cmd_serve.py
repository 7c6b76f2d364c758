"""`postvak serve`: hand the settings to the composition root in servers/core."""

from __future__ import annotations

import argparse
from typing import Any

from postvak.servers.cli.context import CliContext


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="run every enabled listener until SIGTERM/SIGINT")
    p.set_defaults(run=run)


def run(ctx: CliContext, args: argparse.Namespace) -> int:
    settings = ctx.settings  # a bad config fails here, before anything binds
    from postvak.servers.core.app import serve

    return int(serve(settings))
