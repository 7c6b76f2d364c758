"""Shared pieces of the command models: the parse error and small readers."""

from __future__ import annotations

from .element import Element, ns
from .status import INVALID_CONTENT


class RequestError(ValueError):
    """A command body that does not follow [MS-ASCMD]; `status` is what to answer
    (a command-specific protocol-error code, or common 101 InvalidContent)."""

    def __init__(self, message: str, status: int = INVALID_CONTENT) -> None:
        super().__init__(message)
        self.status = status


def expect_root(el: Element, tag: str, status: int = INVALID_CONTENT) -> None:
    if el.tag != tag:
        raise RequestError(f"expected {tag}, got {el.tag}", status)


def need(el: Element, tag: str, status: int = INVALID_CONTENT) -> Element:
    child = el.find(tag)
    if child is None:
        raise RequestError(f"{el.tag} lacks {tag}", status)
    return child


def need_text(el: Element, tag: str, status: int = INVALID_CONTENT, max_len: int = 256) -> str:
    value = need(el, tag, status).value
    if len(value) > max_len:
        raise RequestError(f"{tag} longer than {max_len}", status)
    return value


def opt_text(el: Element, tag: str, max_len: int = 1024, status: int = INVALID_CONTENT) -> str | None:
    value = el.findtext(tag)
    if value is not None and len(value) > max_len:
        raise RequestError(f"{tag} longer than {max_len}", status)
    return value


def opt_int(el: Element, tag: str, status: int = INVALID_CONTENT) -> int | None:
    try:
        return el.findint(tag)
    except ValueError as exc:
        raise RequestError(f"{tag} is not a number", status) from exc


def flag(el: Element, tag: str) -> bool:
    """Boolean elements: present-and-empty or "1" mean true ([MS-ASDTYPE] 2.1)."""
    child = el.find(tag)
    return child is not None and child.value.strip() in ("", "1", "true")


AS = ns("AirSync")
ASB = ns("AirSyncBase")
FH = ns("FolderHierarchy")
PV = ns("Provision")
PG = ns("Ping")
GIE = ns("GetItemEstimate")
IO = ns("ItemOperations")
MV = ns("Move")
CM = ns("ComposeMail")
SR = ns("Search")
RR = ns("ResolveRecipients")
ST = ns("Settings")
VC = ns("ValidateCert")
FD = ns("Find")
GAL = ns("GAL")
