"""Provision ([MS-ASPROV] 3.2.5): two phases, a permissive default policy, remote wipe.

Phase 1 hands out a temporary key with the policy document; phase 2 (the
acknowledgement with that key) hands out the final key that later requests
carry. Keys are random in 1..2^32-1: 0 means "not provisioned" to clients.
"""

from __future__ import annotations

import secrets
import time

from postvak.protocols.activesync import build_provision_doc, build_provision_response, parse_provision
from postvak.protocols.activesync import status as S
from postvak.protocols.activesync.cmd_common import PV
from postvak.protocols.activesync.cmd_provision import POLICY_TYPE_WBXML
from postvak.protocols.activesync.element import Element
from postvak.servers.activesync import state
from postvak.servers.activesync.request import Request

# [MS-ASPROV] 2.2.2 elements in schema order; nothing is enforced on the device.
DEFAULT_POLICY: dict[str, str | int | bool] = {
    "DevicePasswordEnabled": 0, "AlphanumericDevicePasswordRequired": 0, "PasswordRecoveryEnabled": 0,
    "RequireStorageCardEncryption": 0, "AttachmentsEnabled": 1, "MinDevicePasswordLength": 1,
    "MaxInactivityTimeDeviceLock": 9999, "MaxDevicePasswordFailedAttempts": 8,
    "AllowSimpleDevicePassword": 1, "DevicePasswordExpiration": 0, "DevicePasswordHistory": 0,
    "AllowStorageCard": 1, "AllowCamera": 1, "RequireDeviceEncryption": 0,
    "AllowUnsignedApplications": 1, "AllowUnsignedInstallationPackages": 1, "MinDevicePasswordComplexCharacters": 1,
    "AllowWiFi": 1, "AllowTextMessaging": 1, "AllowPOPIMAPEmail": 1, "AllowBluetooth": 2, "AllowIrDA": 1,
    "RequireManualSyncWhenRoaming": 0, "AllowDesktopSync": 1, "MaxCalendarAgeFilter": 0, "AllowHTMLEmail": 1,
    "MaxEmailAgeFilter": 0, "MaxEmailBodyTruncationSize": -1, "MaxEmailHTMLBodyTruncationSize": -1,
    "RequireSignedSMIMEMessages": 0, "RequireEncryptedSMIMEMessages": 0, "AllowSMIMEEncryptionAlgorithmNegotiation": 2,
    "AllowSMIMESoftCerts": 1, "AllowBrowser": 1, "AllowConsumerEmail": 1, "AllowRemoteDesktop": 1,
    "AllowInternetSharing": 1,
}


def new_key() -> int:
    return secrets.randbelow(0xFFFFFFFE) + 1


async def handle(req: Request) -> Element:
    p = parse_provision(req.need_tree())
    aid, key = req.account.id, state.device_key(req.device_id)
    device = req.device
    info_status = None
    if p.device_info is not None and req.v >= 14.1:
        info_status = 1
        if req.persistent:
            await req.write(state.merge, aid, key, {"info": p.device_info.fields})
    if p.remote_wipe_status is not None:
        # The device confirms it wiped: remember when, stop asking.
        if req.persistent and device.get("wipe"):
            await req.write(state.merge, aid, key, {"wipe": f"done-{device['wipe']}",
                                                      "wiped_at": int(time.time()), "policy_key": None})
        req.log("activesync.wiped", status=p.remote_wipe_status)
        return build_provision_response(S.PROVISION_SUCCESS)
    wipe = device.get("wipe") if req.persistent else None
    if wipe in ("full", "account"):
        kind = "AccountOnlyRemoteWipe" if wipe == "account" and req.v >= 16.1 else "RemoteWipe"
        return PV("Provision", PV("Status", text=S.PROVISION_SUCCESS), PV(kind))
    if p.policy_type not in (POLICY_TYPE_WBXML,):
        return build_provision_response(S.PROVISION_SUCCESS, policy_type=p.policy_type or POLICY_TYPE_WBXML,
                                        policy_status=S.POLICY_UNKNOWN_TYPE, device_info_status=info_status)
    if not p.is_acknowledgement or not p.policy_key:
        temp = new_key()
        if req.persistent:
            await req.write(state.merge, aid, key, {"pending_key": temp})
        return build_provision_response(
            S.PROVISION_SUCCESS, policy_type=POLICY_TYPE_WBXML, policy_status=S.POLICY_SUCCESS, policy_key=temp,
            policy_doc=build_provision_doc(DEFAULT_POLICY), device_info_status=info_status)
    if req.persistent and p.policy_key not in (device.get("pending_key"), device.get("policy_key")):
        return build_provision_response(S.PROVISION_SUCCESS, policy_type=POLICY_TYPE_WBXML,
                                        policy_status=S.POLICY_KEY_MISMATCH)
    final = device.get("policy_key") if p.policy_key == device.get("policy_key") else new_key()
    if req.persistent:
        await req.write(state.merge, aid, key, {"policy_key": final, "pending_key": None,
                                                  "provisioned_at": int(time.time())})
    req.log("activesync.provisioned", ack=p.ack_status)
    return build_provision_response(S.PROVISION_SUCCESS, policy_type=POLICY_TYPE_WBXML,
                                    policy_status=S.POLICY_SUCCESS, policy_key=final,
                                    device_info_status=info_status)
