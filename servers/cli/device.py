"""`postvak device list|wipe|remove USER [DEVICEID]`: ActiveSync devices of an account.

`wipe` marks a device for remote wipe ([MS-ASPROV] 3.2.5.1.2): its next request is
answered with 449/Status 140, and the Provision that follows carries RemoteWipe,
or with --account-only (EAS 16.1) AccountOnlyRemoteWipe, which erases only this
account's data from the phone. `remove` forgets the device and its sync state.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from postvak.servers.activesync import state
from postvak.servers.cli import validate
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.store import accounts


def register(sub: Any) -> None:
    p = sub.add_parser("device", help="ActiveSync devices of an account")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = cmds.add_parser("list", help="list the devices of USER")
    ls.add_argument("user", metavar="USER")
    ls.set_defaults(run=list_devices)
    wipe = cmds.add_parser("wipe", help="remote-wipe a device of USER")
    wipe.add_argument("user", metavar="USER")
    wipe.add_argument("device", metavar="DEVICEID")
    wipe.add_argument("--account-only", action="store_true", help="erase only this account (EAS 16.1 devices)")
    wipe.set_defaults(run=wipe_device)
    rm = cmds.add_parser("remove", help="forget a device of USER and its sync state")
    rm.add_argument("user", metavar="USER")
    rm.add_argument("device", metavar="DEVICEID")
    rm.set_defaults(run=remove_device)


def _account(ctx: CliContext, text: str) -> Any:
    address = validate.address(text)
    account = ctx.read(accounts.get_account, address)
    if account is None:
        raise CliError(f"no such account: {address}")
    return account


def _when(ts: Any) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(int(ts))) if ts else "-"


def list_devices(ctx: CliContext, args: argparse.Namespace) -> int:
    account = _account(ctx, args.user)
    for device_id, rec in ctx.read(state.list_devices, account.id):
        info = rec.get("info") or {}
        model = info.get("Model") or info.get("FriendlyName") or "-"
        provisioned = "provisioned" if rec.get("policy_key") else "not provisioned"
        wipe = f" wipe={rec['wipe']}" if rec.get("wipe") else ""
        print(f"{device_id}\t{rec.get('type', '-')}\t{model}\tEAS {rec.get('version', '-')}\t{provisioned}"
              f"\tlast seen {_when(rec.get('last_seen'))}{wipe}")
    return 0


def _device(ctx: CliContext, account: Any, device_id: str) -> dict[str, Any]:
    rec = ctx.read(state.get, account.id, state.device_key(device_id))
    if rec is None:
        raise CliError(f"no device {device_id} for {account.address}")
    return rec


def wipe_device(ctx: CliContext, args: argparse.Namespace) -> int:
    account = _account(ctx, args.user)
    _device(ctx, account, args.device)
    kind = "account" if args.account_only else "full"
    ctx.write(state.merge, account.id, state.device_key(args.device), {"wipe": kind, "wipe_requested": int(time.time())})
    print(f"{args.device} of {account.address} will be wiped ({kind}) at its next connection")
    return 0


def remove_device(ctx: CliContext, args: argparse.Namespace) -> int:
    account = _account(ctx, args.user)
    _device(ctx, account, args.device)
    ctx.write(state.remove_device, account.id, args.device)
    print(f"removed {args.device} of {account.address}")
    return 0
