"""Provision ([MS-ASPROV] 3.1.5, [MS-ASCMD] 2.2.1.14): the two-phase policy handshake.

Phase 1: the client asks for a policy (PolicyType only) and gets a temporary key
and the EASProvisionDoc. Phase 2: it acknowledges with that key and a Status and
gets the final key. A RemoteWipe element acknowledges a wipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .cmd_common import PV, ST, RequestError, expect_root, opt_int, opt_text
from .element import Element
from .status import PROVISION_PROTOCOL_ERROR

POLICY_TYPE_WBXML = "MS-EAS-Provisioning-WBXML"  # 12.0 and later
POLICY_TYPE_XML = "MS-WAP-Provisioning-XML"  # 2.5


@dataclass(frozen=True)
class DeviceInformation:
    """Settings:DeviceInformation/Set, sent inside Provision from 14.1 on."""
    fields: dict[str, str] = field(default_factory=dict)  # Model, IMEI, FriendlyName, OS, ...


@dataclass(frozen=True)
class ProvisionRequest:
    policy_type: str | None
    policy_key: int | None  # present in the acknowledgement phase
    ack_status: int | None  # the client's Status for the policy it applied
    remote_wipe_status: int | None  # present when acknowledging a wipe
    device_info: DeviceInformation | None

    @property
    def is_acknowledgement(self) -> bool:
        return self.policy_key is not None


def parse_device_information(el: Element | None) -> DeviceInformation | None:
    if el is None:
        return None
    target = el.find("Set") or el
    return DeviceInformation({c.name: c.value for c in target.children if not c.children})


def parse_provision(root: Element) -> ProvisionRequest:
    expect_root(root, "Provision:Provision", PROVISION_PROTOCOL_ERROR)
    policy = root.find("Policies")
    policy = policy.find("Policy") if policy is not None else None
    wipe = root.find("RemoteWipe")
    if policy is None and wipe is None:
        raise RequestError("Provision without Policies or RemoteWipe", PROVISION_PROTOCOL_ERROR)
    key_text = opt_text(policy, "PolicyKey", 32) if policy is not None else None
    try:
        key = int(key_text) if key_text is not None else None
    except ValueError as exc:
        raise RequestError("PolicyKey is not a number", PROVISION_PROTOCOL_ERROR) from exc
    return ProvisionRequest(
        policy_type=opt_text(policy, "PolicyType", 64) if policy is not None else None,
        policy_key=key,
        ack_status=opt_int(policy, "Status", PROVISION_PROTOCOL_ERROR) if policy is not None else None,
        remote_wipe_status=opt_int(wipe, "Status", PROVISION_PROTOCOL_ERROR) if wipe is not None else None,
        device_info=parse_device_information(root.find("Settings:DeviceInformation")),
    )


def build_provision_doc(settings: dict[str, str | int | bool]) -> Element:
    """EASProvisionDoc from policy element names ([MS-ASPROV] 2.2.2) to values."""
    kids = []
    for name, value in settings.items():
        if isinstance(value, bool):
            value = int(value)
        kids.append(PV(name, text=value))
    return PV("EASProvisionDoc", *kids)


def build_provision_response(status: int, *, policy_type: str | None = None,
                             policy_status: int | None = None, policy_key: int | None = None,
                             policy_doc: Element | None = None, remote_wipe: bool = False,
                             device_info_status: int | None = None) -> Element:
    policies = None
    if policy_type is not None:
        data = PV("Data", policy_doc) if policy_doc is not None else None
        policies = PV("Policies", PV(
            "Policy", PV("PolicyType", text=policy_type),
            PV("Status", text=policy_status) if policy_status is not None else None,
            PV("PolicyKey", text=policy_key) if policy_key is not None else None, data))
    device = (ST("DeviceInformation", ST("Status", text=device_info_status))
              if device_info_status is not None else None)
    return PV("Provision", device, PV("Status", text=status), policies,
              PV("RemoteWipe") if remote_wipe else None)

