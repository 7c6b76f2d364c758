"""`postvak queue list | show ID | retry ID | delete ID | flush`: the outbound queue.
A running server picks up retried entries at its next queue run (outbound.interval)."""

from __future__ import annotations

import argparse
from typing import Any

from postvak.servers.cli.context import CliContext
from postvak.store import queue
from postvak.store.types import QueueItem


def register(sub: Any) -> None:
    p = sub.add_parser("queue", help="the outbound mail queue")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    cmds.add_parser("list", help="one line per queued message").set_defaults(run=list_queue)
    for name, fn, text in (("show", show, "details and recipients of one entry"),
                           ("retry", retry, "try one entry again at the next queue run"),
                           ("delete", delete, "drop one entry without telling the sender")):
        c = cmds.add_parser(name, help=text)
        c.add_argument("id", metavar="ID", type=int)
        c.set_defaults(run=fn)
    cmds.add_parser("flush", help="try every entry again at the next queue run").set_defaults(run=flush)


def _sender(item: QueueItem) -> str:
    return f"<{item.sender}>"


def list_queue(ctx: CliContext, args: argparse.Namespace) -> int:
    items = ctx.read(queue.list_queue)
    for item in items:
        pending = [r.address for r in item.recipients if r.status == queue.PENDING]
        print(f"{item.id}\t{item.created:%Y-%m-%d %H:%M}\t{item.size}\t{_sender(item)}\t"
              f"{len(pending)} pending: {', '.join(pending)}")
    if not items:
        print("queue is empty")
    return 0


def show(ctx: CliContext, args: argparse.Namespace) -> int:
    item = ctx.read(queue.get, args.id)
    print(f"id: {item.id}")
    print(f"sender: {_sender(item)}")
    print(f"size: {item.size}")
    print(f"created: {item.created.isoformat()}")
    print(f"attempts: {item.attempts}")
    print(f"next attempt: {item.next_attempt.isoformat()}")
    if item.last_error:
        print(f"last error: {item.last_error}")
    for r in item.recipients:
        print(f"recipient: {r.address} {r.status}" + (f" ({r.detail})" if r.detail else ""))
    return 0


def retry(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.write(queue.retry, args.id)
    print(f"queue entry {args.id} will be tried at the next queue run")
    return 0


def delete(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.write(queue.delete_item, args.id)
    print(f"deleted queue entry {args.id}")
    return 0


def _retry_all(tx: Any) -> int:
    items = queue.list_queue(tx)
    for item in items:
        queue.retry(tx, item.id)
    return len(items)


def flush(ctx: CliContext, args: argparse.Namespace) -> int:
    count = ctx.write(_retry_all)
    print(f"{count} queue entr{'y' if count == 1 else 'ies'} will be tried at the next queue run")
    return 0
