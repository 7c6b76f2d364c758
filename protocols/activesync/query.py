"""The request line of an ActiveSync HTTP POST: [MS-ASHTTP] 2.2.1.1.1.

Two spellings of the same facts: the plain query
`?Cmd=Sync&User=u&DeviceId=d&DeviceType=t` (2.2.1.1.1.2) with the protocol
version and policy key in headers, and the base64 query (2.2.1.1.1.1) that packs
version, command code, locale, device id, policy key, device type and command
parameters into bytes.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from dataclasses import dataclass, field

# 2.2.1.1.1.1.2 command codes
COMMAND_CODES: dict[int, str] = {
    0: "Sync", 1: "SendMail", 2: "SmartForward", 3: "SmartReply", 4: "GetAttachment",
    9: "FolderSync", 10: "FolderCreate", 11: "FolderDelete", 12: "FolderUpdate",
    13: "MoveItems", 14: "GetItemEstimate", 15: "MeetingResponse", 16: "Search",
    17: "Settings", 18: "Ping", 19: "ItemOperations", 20: "Provision",
    21: "ResolveRecipients", 22: "ValidateCert", 23: "Find",
}
COMMANDS = frozenset(COMMAND_CODES.values())
# 2.2.1.1.1.1.3 command parameter tags
PARAMETER_TAGS: dict[int, str] = {
    0: "AttachmentName", 1: "CollectionId", 3: "ItemId", 4: "LongId",
    6: "Occurrence", 7: "Options", 8: "User",
}
OPTION_SAVE_IN_SENT = 0x01
OPTION_ACCEPT_MULTIPART = 0x02
SUPPORTED_VERSIONS = ("2.5", "12.0", "12.1", "14.0", "14.1", "16.0", "16.1")
MAX_QUERY = 4096  # a request line longer than this is not a client's

_PERCENT = re.compile(rb"%([0-9A-Fa-f]{2})")


def _unquote(text: str) -> str:
    # RFC 3986 2.1 percent-decoding plus form "+" = space (urllib is off limits here: no I/O modules).
    raw = text.replace("+", " ").encode("utf-8")
    try:
        return _PERCENT.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError("query is not UTF-8") from exc


def _pairs(query: str) -> list[tuple[str, str]]:
    out = []
    for part in query.split("&"):
        if part:
            key, _, value = part.partition("=")
            out.append((_unquote(key), _unquote(value)))
    return out


_DEVICE_ID = re.compile(r"[A-Za-z0-9]{1,64}")  # 2.2.1.1.1.2.3: alphanumeric only


class QueryError(ValueError):
    """The request line cannot be understood; the server answers HTTP 400."""


@dataclass(frozen=True)
class RequestLine:
    command: str
    user: str
    device_id: str
    device_type: str
    protocol_version: str | None  # from the base64 form, else the MS-ASProtocolVersion header
    policy_key: int | None  # from the base64 form, else the X-MS-PolicyKey header
    params: dict[str, str] = field(default_factory=dict)
    locale: int | None = None

    @property
    def save_in_sent(self) -> bool:
        if "Options" in self.params:
            return bool(int(self.params["Options"]) & OPTION_SAVE_IN_SENT)
        return self.params.get("SaveInSent", "F").upper() == "T"

    @property
    def accept_multipart(self) -> bool:
        return "Options" in self.params and bool(int(self.params["Options"]) & OPTION_ACCEPT_MULTIPART)


def parse_query(query: str, *, protocol_version: str | None = None,
                policy_key: str | None = None) -> RequestLine:
    """Parse the query string (without '?'). Header values are passed in for the
    plain form; the base64 form carries its own and ignores them."""
    if len(query) > MAX_QUERY:
        raise QueryError("query too long")
    # Base64 may end in "=" padding, so tell the forms apart by their keys.
    if "Cmd=" not in query and "&" not in query:
        return parse_base64_query(query)
    pairs = _pairs(query)
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise QueryError(f"parameter {name} given twice")
        params[name] = value
    command = params.pop("Cmd", "")
    user = params.pop("User", "")
    device_id = params.pop("DeviceId", "")
    device_type = params.pop("DeviceType", "")
    _check(command, device_id, device_type)
    key: int | None = None
    if policy_key not in (None, ""):
        try:
            key = int(policy_key)  # type: ignore[arg-type]
        except ValueError as exc:
            raise QueryError("X-MS-PolicyKey is not a number") from exc
        if not 0 <= key <= 0xFFFFFFFF:
            raise QueryError("X-MS-PolicyKey out of range")
    return RequestLine(command, user, device_id, device_type, protocol_version, key, params)


def _check(command: str, device_id: str, device_type: str) -> None:
    if command not in COMMANDS:
        raise QueryError(f"unknown command {command!r}")
    if not _DEVICE_ID.fullmatch(device_id):
        raise QueryError("DeviceId missing or not alphanumeric")
    if not device_type or len(device_type) > 64:
        raise QueryError("DeviceType missing or too long")


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n > len(self.data):
            raise QueryError(f"base64 query ends inside {what}")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def byte(self, what: str) -> int:
        return self.take(1, what)[0]

    def counted(self, what: str) -> bytes:
        return self.take(self.byte(what), what)


def _text(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(f"{what} is not UTF-8") from exc


def parse_base64_query(query: str) -> RequestLine:
    """2.2.1.1.1.1: decode the packed request line."""
    try:
        data = base64.b64decode(_unquote(query.replace("+", "%2B")), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise QueryError("query is neither key=value pairs nor base64") from exc
    r = _Bytes(data)
    version_byte = r.byte("protocol version")
    version = f"{version_byte // 10}.{version_byte % 10}"  # 2.2.1.1.1.1.1: 121 -> 12.1
    code = r.byte("command code")
    command = COMMAND_CODES.get(code)
    if command is None:
        raise QueryError(f"unknown command code {code}")
    (locale,) = struct.unpack("<H", r.take(2, "locale"))
    raw_id = r.counted("device id")
    # Device ids are bytes; text ids stay text, binary ones (GUIDs) become hex.
    device_id = raw_id.decode("ascii") if raw_id.isascii() and raw_id.isalnum() else raw_id.hex().upper()
    key_raw = r.counted("policy key")
    if len(key_raw) not in (0, 4):
        raise QueryError("policy key must be 0 or 4 bytes")
    policy_key = struct.unpack("<I", key_raw)[0] if key_raw else None
    device_type = _text(r.counted("device type"), "device type")
    params: dict[str, str] = {}
    while r.pos < len(data):
        tag = r.byte("parameter tag")
        value = r.counted("parameter value")
        name = PARAMETER_TAGS.get(tag)
        if name is None:
            raise QueryError(f"unknown command parameter tag {tag}")
        if name == "Options":
            if len(value) != 1:
                raise QueryError("Options must be one byte")
            params[name] = str(value[0])
        else:
            params[name] = _text(value, name)
    user = params.pop("User", "")
    _check(command, device_id, device_type)
    return RequestLine(command, user, device_id, device_type, version, policy_key, params, locale)


def build_base64_query(line: RequestLine) -> str:
    """The inverse, for tests and clients."""
    major, _, minor = (line.protocol_version or "14.0").partition(".")
    code = {v: k for k, v in COMMAND_CODES.items()}[line.command]
    out = bytearray([int(major) * 10 + int(minor), code]) + struct.pack("<H", line.locale or 0x0409)
    dev = line.device_id.encode()
    out += bytes([len(dev)]) + dev
    out += b"\x04" + struct.pack("<I", line.policy_key) if line.policy_key is not None else b"\x00"
    typ = line.device_type.encode()
    out += bytes([len(typ)]) + typ
    tags = {v: k for k, v in PARAMETER_TAGS.items()}
    items = dict(line.params)
    if line.user:
        items["User"] = line.user
    for name, value in items.items():
        raw = bytes([int(value)]) if name == "Options" else value.encode()
        out += bytes([tags[name], len(raw)]) + raw
    return base64.b64encode(bytes(out)).decode("ascii")
