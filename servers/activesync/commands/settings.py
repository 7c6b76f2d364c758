"""Settings ([MS-ASCMD] 2.2.1.19: Oof, DeviceInformation, DevicePassword,
UserInformation, RightsManagementInformation) and ValidateCert (2.2.1.22)."""

from __future__ import annotations

from datetime import UTC, datetime

from postvak.protocols.activesync import (
    build_settings_response,
    build_validatecert_response,
    parse_settings,
    parse_validatecert,
)
from postvak.protocols.activesync import status as S
from postvak.protocols.activesync.cmd_common import ST
from postvak.protocols.activesync.cmd_settings import (
    OofMessage,
    OofSet,
    build_oof_get,
    build_user_information,
    part_status,
)
from postvak.protocols.activesync.element import Element
from postvak.servers.activesync import oof, state
from postvak.servers.activesync.request import Request
from postvak.store import accounts

AUDIENCES = ("AppliesToInternal", "AppliesToExternalKnown", "AppliesToExternalUnknown")


async def handle(req: Request) -> Element:
    r = parse_settings(req.need_tree())
    parts: list[Element] = []
    for name in r.order:
        if name == "Oof":
            if r.oof_set is not None:
                parts.append(await _oof_set(req, r.oof_set))
            if r.oof_get_body_type is not None:
                parts.append(await _oof_get(req, r.oof_get_body_type))
        elif name == "DeviceInformation":
            if req.persistent and r.device_info is not None:
                await req.write(state.merge, req.account.id, state.device_key(req.device_id),
                                {"info": r.device_info.fields})
            parts.append(part_status("DeviceInformation", S.SETTINGS_SUCCESS))
        elif name == "DevicePassword":
            parts.append(part_status("DevicePassword", S.SETTINGS_SUCCESS))
        elif name == "UserInformation":
            ids = await req.read(accounts.list_identities, req.account.id)
            emails = [req.account.address] + [i.address for i in ids if i.address != req.account.address]
            parts.append(build_user_information(S.SETTINGS_SUCCESS, emails, req.account.address,
                                                req.account.address.partition("@")[0]))
        elif name == "RightsManagementInformation":
            parts.append(ST("RightsManagementInformation", ST("Status", text=S.SETTINGS_SUCCESS)))
    return build_settings_response(S.SETTINGS_SUCCESS, *parts)


async def _oof_get(req: Request, body_type: str) -> Element:
    saved = await req.read(oof.get_oof, req.account.id)
    reply = saved.get("reply") or ""
    enabled = bool(saved["state"])
    msgs = tuple(OofMessage(a, enabled and bool(reply), reply, body_type or "Text") for a in AUDIENCES)
    return build_oof_get(S.SETTINGS_SUCCESS, OofSet(saved["state"], saved.get("start"), saved.get("end"), msgs))


async def _oof_set(req: Request, s: OofSet) -> Element:
    reply = next((m.reply for m in s.messages if m.enabled and m.reply), None)
    if reply is None:
        reply = next((m.reply for m in s.messages if m.reply), "")
    value = {"state": s.state, "start": s.start, "end": s.end, "reply": reply}
    try:
        await req.write(oof.set_oof, req.account.id, value)
    except oof.NotRulesLayout:
        return part_status("Oof", S.SETTINGS_DENIED_BY_POLICY)
    except oof.BadDates:
        return part_status("Oof", S.SETTINGS_INVALID_ARGUMENTS)
    req.log("activesync.oof", state=s.state)
    return part_status("Oof", S.SETTINGS_SUCCESS)


async def handle_validatecert(req: Request) -> Element:
    """Checks what we can without a trust store: that each certificate parses and
    is within its validity period (7 = expired, 16 = unreadable)."""
    from cryptography import x509

    r = parse_validatecert(req.need_tree())
    now = datetime.now(UTC)
    out = []
    for der in r.certificates:
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            out.append(S.VALIDATECERT_UNKNOWN_ERROR)
            continue
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            out.append(S.VALIDATECERT_EXPIRED)
        else:
            out.append(S.VALIDATECERT_SUCCESS)
    return build_validatecert_response(S.VALIDATECERT_SUCCESS, out)
