"""Provisioning enforcement and remote wipe before any command runs ([MS-ASPROV] 3.2.5.1).

A device without the final policy key gets HTTP 449 (12.x) or Status 142/144
(14.0+); a device marked for wipe gets 449 / 140 so that it provisions and
receives the RemoteWipe. Provision itself is always let through, so a client
that provisions correctly never loops.
"""

from __future__ import annotations

import time
from typing import Any

from postvak.protocols.activesync import status as S
from postvak.servers.activesync import state
from postvak.servers.activesync.request import CommandFailed, HttpFailed, Request

EXEMPT = frozenset({"Provision"})
TOUCH_EVERY = 300  # seconds between last_seen updates: no write per request


def required(ctx: Any) -> bool:
    section = getattr(ctx.settings, "activesync", None)
    return bool(getattr(section, "require_provisioning", True))


async def check(req: Request) -> None:
    if not req.persistent:
        return  # DeviceId=validate: answered, never remembered, never held back
    key = state.device_key(req.device_id)
    device = await req.read(state.get, req.account.id, key)
    now = int(time.time())
    if device is None or now - int(device.get("last_seen", 0)) > TOUCH_EVERY:
        fields: dict[str, Any] = {"last_seen": now, "type": req.line.device_type, "version": req.version}
        if device is None:
            fields["first_seen"] = now
        device = await req.write(state.merge, req.account.id, key, fields)
    req.device = device
    if req.line.command in EXEMPT:
        return
    if device.get("wipe") in ("full", "account"):
        _refuse(req, S.REMOTE_WIPE_REQUESTED)
    if not required(req.ctx):
        return
    final = device.get("policy_key")
    given = req.line.policy_key
    if given is None:
        given = _int(req.line.params.get("PolicyKey"))
    if final and given == final:
        return
    _refuse(req, S.DEVICE_NOT_PROVISIONED if not given else S.INVALID_POLICY_KEY)


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _refuse(req: Request, status: int) -> None:
    if req.v < 14.0:
        raise HttpFailed(449, "provisioning required")  # [MS-ASHTTP] 3.2.5.1 for 12.x
    raise CommandFailed(status, "provisioning required")
