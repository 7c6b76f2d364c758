"""Typed ManageSieve commands (RFC 5804 2). Scripts stay bytes (UTF-8 on the wire)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Authenticate:  # RFC 5804 2.1
    mechanism: str
    initial_response: bytes | None = field(default=None, repr=False)  # base64 text


@dataclass(frozen=True)
class SaslResponse:
    """One client string during AUTHENTICATE (receiver in SASL mode); "*" cancels."""

    data: bytes = field(repr=False)


@dataclass(frozen=True)
class StartTls:  # 2.2
    pass


@dataclass(frozen=True)
class Logout:  # 2.3
    pass


@dataclass(frozen=True)
class Capability:  # 2.4
    pass


@dataclass(frozen=True)
class HaveSpace:  # 2.5
    name: str
    size: int


@dataclass(frozen=True)
class PutScript:  # 2.6
    name: str
    script: bytes = field(repr=False)


@dataclass(frozen=True)
class ListScripts:  # 2.7
    pass


@dataclass(frozen=True)
class SetActive:  # 2.8; name "" deactivates all scripts
    name: str


@dataclass(frozen=True)
class GetScript:  # 2.9
    name: str


@dataclass(frozen=True)
class DeleteScript:  # 2.10
    name: str


@dataclass(frozen=True)
class RenameScript:  # 2.11.1
    old: str
    new: str


@dataclass(frozen=True)
class CheckScript:  # 2.12
    script: bytes = field(repr=False)


@dataclass(frozen=True)
class Noop:  # 2.13; the tag comes back as (TAG "...")
    tag: str | None = None


@dataclass(frozen=True)
class Unauthenticate:  # 2.14.1
    pass


@dataclass(frozen=True)
class BadCommand:
    """Answer with NO (or BYE if the server gives up); ``code`` is a response code to use."""

    keyword: str
    reason: str
    code: str | None = None


Command = (
    Authenticate | SaslResponse | StartTls | Logout | Capability | HaveSpace | PutScript | ListScripts
    | SetActive | GetScript | DeleteScript | RenameScript | CheckScript | Noop | Unauthenticate
)
