"""Settings ([MS-ASCMD] 2.2.1.19: Oof, DeviceInformation, DevicePassword,
UserInformation, RightsManagementInformation) and ValidateCert (2.2.1.22)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from .cmd_common import ST, VC, RequestError, expect_root, flag, opt_int, opt_text
from .cmd_provision import DeviceInformation, parse_device_information
from .element import Element
from .status import SETTINGS_PROTOCOL_ERROR, VALIDATECERT_PROTOCOL_ERROR

OOF_DISABLED, OOF_GLOBAL, OOF_TIME_BASED = 0, 1, 2


@dataclass(frozen=True)
class OofMessage:
    audience: str  # AppliesToInternal, AppliesToExternalKnown, AppliesToExternalUnknown
    enabled: bool
    reply: str | None
    body_type: str | None  # "Text" or "HTML"


@dataclass(frozen=True)
class OofSet:
    state: int
    start: str | None
    end: str | None
    messages: tuple[OofMessage, ...]


@dataclass(frozen=True)
class SettingsRequest:
    oof_get_body_type: str | None = None  # present: Oof Get was asked
    oof_set: OofSet | None = None
    device_info: DeviceInformation | None = None
    device_password: str | None = None
    user_info: bool = False
    rights_management: bool = False
    order: tuple[str, ...] = field(default=())  # the requested parts, to answer in turn


def _oof_set(el: Element) -> OofSet:
    bad = SETTINGS_PROTOCOL_ERROR
    msgs = []
    for m in el.findall("OofMessage"):
        audience = next((c.name for c in m.children if c.name.startswith("AppliesTo")), None)
        if audience is None:
            raise RequestError("OofMessage without AppliesTo*", bad)
        msgs.append(OofMessage(audience, flag(m, "Enabled"), opt_text(m, "ReplyMessage", 64 * 1024),
                               opt_text(m, "BodyType", 8)))
    state = opt_int(el, "OofState", bad)
    if state not in (None, 0, 1, 2):
        raise RequestError("OofState out of range", bad)
    return OofSet(state or 0, opt_text(el, "StartTime", 32), opt_text(el, "EndTime", 32), tuple(msgs))


def parse_settings(root: Element) -> SettingsRequest:
    expect_root(root, "Settings:Settings", SETTINGS_PROTOCOL_ERROR)
    kw: dict = {}
    order = []
    for part in root.children:
        order.append(part.name)
        if part.name == "Oof":
            if part.has("Get"):
                kw["oof_get_body_type"] = part.find("Get").findtext("BodyType") or "Text"  # type: ignore[union-attr]
            if part.has("Set"):
                kw["oof_set"] = _oof_set(part.find("Set"))  # type: ignore[arg-type]
        elif part.name == "DeviceInformation":
            kw["device_info"] = parse_device_information(part)
        elif part.name == "DevicePassword":
            kw["device_password"] = (part.find("Set") or part).findtext("Password")
        elif part.name == "UserInformation":
            kw["user_info"] = True
        elif part.name == "RightsManagementInformation":
            kw["rights_management"] = True
        else:
            raise RequestError(f"unexpected {part.tag} in Settings", SETTINGS_PROTOCOL_ERROR)
    return SettingsRequest(**kw, order=tuple(order))


def build_oof_get(status: int, oof: OofSet | None) -> Element:
    if oof is None:
        return ST("Oof", ST("Status", text=status))
    msgs = [ST("OofMessage", ST(m.audience), ST("Enabled", text=int(m.enabled)),
               ST("ReplyMessage", text=m.reply) if m.reply is not None else None,
               ST("BodyType", text=m.body_type) if m.body_type else None) for m in oof.messages]
    return ST("Oof", ST("Status", text=status), ST("Get", ST("OofState", text=oof.state),
                                                   ST("StartTime", text=oof.start) if oof.start else None,
                                                   ST("EndTime", text=oof.end) if oof.end else None, *msgs))


def build_user_information(status: int, emails: list[str], primary: str | None = None,
                           display_name: str | None = None) -> Element:
    """14.1 form: Accounts/Account/EmailAddresses with PrimarySmtpAddress."""
    return ST("UserInformation", ST("Status", text=status), ST("Get", ST("Accounts", ST(
        "Account", ST("UserDisplayName", text=display_name) if display_name else None,
        ST("EmailAddresses", *[ST("SMTPAddress", text=e) for e in emails],
           ST("PrimarySmtpAddress", text=primary) if primary else None)))))


def build_settings_response(status: int, *parts: Element | None) -> Element:
    """parts: build_oof_get(...), ST("Oof", ST("Status", 1)) for a Set,
    ST("DeviceInformation", ST("Status", 1)), build_user_information(...)."""
    return ST("Settings", ST("Status", text=status), *parts)


def part_status(name: str, status: int) -> Element:
    """The answer to a Set: `<Oof><Status>1</Status></Oof>` and the like."""
    return ST(name, ST("Status", text=status))


# --- ValidateCert -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ValidateCertRequest:
    certificates: tuple[bytes, ...]  # DER
    chain: tuple[bytes, ...]
    check_crl: bool


def _ders(el: Element | None) -> tuple[bytes, ...]:
    if el is None:
        return ()
    out = []
    for c in el.findall("Certificate"):
        try:
            out.append(c.opaque if c.opaque is not None else base64.b64decode(c.value, validate=True))
        except binascii.Error as exc:
            raise RequestError("Certificate is not base64", VALIDATECERT_PROTOCOL_ERROR) from exc
    return tuple(out)


def parse_validatecert(root: Element) -> ValidateCertRequest:
    expect_root(root, "ValidateCert:ValidateCert", VALIDATECERT_PROTOCOL_ERROR)
    certs = _ders(root.find("Certificates"))
    if not certs:
        raise RequestError("no Certificate", VALIDATECERT_PROTOCOL_ERROR)
    return ValidateCertRequest(certs, _ders(root.find("CertificateChain")), flag(root, "CheckCRL"))


def build_validatecert_response(status: int, cert_statuses: list[int] = ()) -> Element:  # type: ignore[assignment]
    return VC("ValidateCert", VC("Status", text=status),
              *[VC("Certificate", VC("Status", text=s)) for s in cert_statuses])
