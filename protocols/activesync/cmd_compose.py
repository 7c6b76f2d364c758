"""SendMail, SmartReply, SmartForward ([MS-ASCMD] 2.2.1.15-17).

From 14.0 the body is WBXML (ComposeMail namespace) with the MIME message in
Mime (often OPAQUE); 12.x clients POST raw MIME (message/rfc822) and put the
options in the query (SaveInSent, ItemId, CollectionId, LongId, Occurrence).
"""

from __future__ import annotations

from dataclasses import dataclass

from .cmd_common import CM, RequestError, expect_root, need, opt_text
from .element import Element
from .query import RequestLine
from .status import INVALID_CONTENT

COMPOSE_COMMANDS = ("SendMail", "SmartReply", "SmartForward")


@dataclass(frozen=True)
class ComposeSource:
    folder_id: str | None = None
    item_id: str | None = None
    long_id: str | None = None
    instance_id: str | None = None


@dataclass(frozen=True)
class ComposeRequest:
    command: str
    mime: bytes
    client_id: str | None
    save_in_sent: bool
    source: ComposeSource | None  # the original for SmartReply/SmartForward
    replace_mime: bool = False
    account_id: str | None = None
    forwardees: tuple[tuple[str | None, str], ...] = ()  # (name, email), 16.0


def parse_compose(root: Element) -> ComposeRequest:
    """The 14.0+ WBXML form; the root names the command."""
    if root.namespace != "ComposeMail" or root.name not in COMPOSE_COMMANDS:
        expect_root(root, "ComposeMail:SendMail")
    mime_el = need(root, "Mime")
    mime = mime_el.opaque if mime_el.opaque is not None else mime_el.value.encode("utf-8")
    if not mime:
        raise RequestError("empty Mime", INVALID_CONTENT)
    src = root.find("Source")
    source = None
    if src is not None:
        source = ComposeSource(opt_text(src, "FolderId", 64), opt_text(src, "ItemId", 64),
                               opt_text(src, "LongId", 256), opt_text(src, "InstanceId", 32))
    if root.name != "SendMail" and source is None:
        raise RequestError(f"{root.name} without Source", INVALID_CONTENT)
    fw = root.find("Forwardees")
    forwardees = tuple((f.findtext("ForwardeeName"), f.findtext("ForwardeeEmail") or "")
                       for f in fw.findall("Forwardee")) if fw is not None else ()
    return ComposeRequest(root.name, mime, opt_text(root, "ClientId", 64), root.has("SaveInSentItems"),
                          source, root.has("ReplaceMime"), opt_text(root, "AccountId", 64), forwardees)


def parse_compose_mime(line: RequestLine, body: bytes) -> ComposeRequest:
    """The 12.x form: raw MIME body, options from the request line."""
    if line.command not in COMPOSE_COMMANDS:
        raise RequestError(f"{line.command} is not a compose command", INVALID_CONTENT)
    if not body:
        raise RequestError("empty MIME body", INVALID_CONTENT)
    p = line.params
    source = None
    if line.command != "SendMail":
        source = ComposeSource(p.get("CollectionId"), p.get("ItemId"), p.get("LongId"), p.get("Occurrence"))
        if not (source.item_id or source.long_id):
            raise RequestError("ItemId or LongId required", INVALID_CONTENT)
    return ComposeRequest(line.command, body, None, line.save_in_sent, source)


def build_compose_response(command: str, status: int) -> Element:
    """Success is an empty 200 body; only errors come back as WBXML with a Status."""
    if command not in COMPOSE_COMMANDS:
        raise ValueError(command)
    return CM(command, CM("Status", text=status))
