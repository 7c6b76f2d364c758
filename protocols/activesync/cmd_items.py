"""ItemOperations ([MS-ASCMD] 2.2.1.10), MoveItems (2.2.1.12), MeetingResponse (2.2.1.11)."""

from __future__ import annotations

from dataclasses import dataclass

from .cmd_common import AS, IO, MV, RequestError, expect_root, flag, need_text, opt_int, opt_text
from .cmd_sync import SyncOptions, parse_options
from .element import Element, ns
from .status import ITEMOPS_PROTOCOL_ERROR, MEETING_INVALID_REQUEST, MOVE_INVALID_SOURCE

MR = ns("MeetingResponse")
BAD_IO = ITEMOPS_PROTOCOL_ERROR


@dataclass(frozen=True)
class FetchOp:
    store: str  # "Mailbox" (or DocumentLibrary, which we do not serve)
    server_id: str | None = None
    collection_id: str | None = None
    long_id: str | None = None
    file_reference: str | None = None  # airsyncbase:FileReference of an attachment
    link_id: str | None = None
    options: SyncOptions | None = None
    range: str | None = None  # "first-last" bytes


@dataclass(frozen=True)
class EmptyFolderOp:
    collection_id: str
    delete_subfolders: bool


@dataclass(frozen=True)
class MoveOp:
    conversation_id: bytes
    destination_id: str
    move_always: bool


@dataclass(frozen=True)
class ItemOperationsRequest:
    operations: tuple[FetchOp | EmptyFolderOp | MoveOp, ...]


def parse_itemoperations(root: Element) -> ItemOperationsRequest:
    expect_root(root, "ItemOperations:ItemOperations", BAD_IO)
    ops: list[FetchOp | EmptyFolderOp | MoveOp] = []
    for op in root.children:
        if op.tag == "ItemOperations:Fetch":
            options = op.find("Options")
            ops.append(FetchOp(
                store=need_text(op, "Store", BAD_IO, 32),
                server_id=opt_text(op, "AirSync:ServerId", 64),
                collection_id=opt_text(op, "AirSync:CollectionId", 64),
                long_id=opt_text(op, "Search:LongId", 256),
                file_reference=opt_text(op, "AirSyncBase:FileReference", 256),
                link_id=opt_text(op, "DocumentLibrary:LinkId", 1024),
                options=parse_options(options) if options is not None else None,
                range=opt_text(options, "Range", 32) if options is not None else None))
        elif op.tag == "ItemOperations:EmptyFolderContents":
            options = op.find("Options")
            ops.append(EmptyFolderOp(need_text(op, "AirSync:CollectionId", BAD_IO, 64),
                                     options is not None and options.has("DeleteSubFolders")))
        elif op.tag == "ItemOperations:Move":
            conv = op.find("ConversationId")
            if conv is None:
                raise RequestError("Move without ConversationId", BAD_IO)
            options = op.find("Options")
            ops.append(MoveOp(conv.opaque if conv.opaque is not None else conv.value.encode(),
                              need_text(op, "DstFldId", BAD_IO, 64),
                              options is not None and options.has("MoveAlways")))
        else:
            raise RequestError(f"unexpected {op.tag} in ItemOperations", BAD_IO)
    if not ops:
        raise RequestError("ItemOperations without operations", BAD_IO)
    return ItemOperationsRequest(tuple(ops))


@dataclass(frozen=True)
class FetchResult:
    status: int
    server_id: str | None = None
    collection_id: str | None = None
    long_id: str | None = None
    file_reference: str | None = None
    class_: str | None = None
    properties: tuple[Element, ...] = ()  # item fields, or airsyncbase:ContentType + Data
    part: int | None = None  # multipart response part number instead of inline Data


def build_itemoperations_response(status: int, results: list[FetchResult | tuple[str, int]] = ()  # type: ignore[assignment]
                                  ) -> Element:
    """results: FetchResult for Fetch, ("EmptyFolderContents"|"Move", status) for the others."""
    out = []
    for r in results:
        if isinstance(r, FetchResult):
            props = list(r.properties)
            if r.part is not None:
                props.append(IO("Part", text=r.part))
            out.append(IO(
                "Fetch", IO("Status", text=r.status),
                AS("CollectionId", text=r.collection_id) if r.collection_id else None,
                AS("ServerId", text=r.server_id) if r.server_id else None,
                ns("Search")("LongId", text=r.long_id) if r.long_id else None,
                ns("AirSyncBase")("FileReference", text=r.file_reference) if r.file_reference else None,
                AS("Class", text=r.class_) if r.class_ else None,
                IO("Properties", *props) if props else None))
        else:
            kind, st = r
            out.append(IO(kind, IO("Status", text=st)))
    return IO("ItemOperations", IO("Status", text=status), IO("Response", *out) if out else None)


# --- MoveItems --------------------------------------------------------------------------

@dataclass(frozen=True)
class MoveItem:
    src_msg_id: str
    src_fld_id: str
    dst_fld_id: str


def parse_moveitems(root: Element) -> tuple[MoveItem, ...]:
    expect_root(root, "Move:MoveItems", MOVE_INVALID_SOURCE)
    out = tuple(MoveItem(need_text(m, "SrcMsgId", MOVE_INVALID_SOURCE, 64),
                         need_text(m, "SrcFldId", MOVE_INVALID_SOURCE, 64),
                         need_text(m, "DstFldId", MOVE_INVALID_SOURCE, 64)) for m in root.findall("Move"))
    if not out:
        raise RequestError("MoveItems without Move", MOVE_INVALID_SOURCE)
    return out


def build_moveitems_response(results: list[tuple[str, int, str | None]]) -> Element:
    """results: (src_msg_id, status, new server id or None)."""
    return MV("MoveItems", *[
        MV("Response", MV("SrcMsgId", text=src), MV("Status", text=status),
           MV("DstMsgId", text=dst) if dst is not None else None) for src, status, dst in results])


# --- MeetingResponse --------------------------------------------------------------------

@dataclass(frozen=True)
class MeetingReply:
    user_response: int  # 1 accept, 2 tentative, 3 decline
    collection_id: str | None
    request_id: str | None
    long_id: str | None
    instance_id: str | None
    send_response: bool


def parse_meetingresponse(root: Element) -> tuple[MeetingReply, ...]:
    bad = MEETING_INVALID_REQUEST
    expect_root(root, "MeetingResponse:MeetingResponse", bad)
    out = []
    for r in root.findall("Request"):
        response = opt_int(r, "UserResponse", bad)
        if response not in (1, 2, 3):
            raise RequestError("UserResponse must be 1, 2 or 3", bad)
        out.append(MeetingReply(response, opt_text(r, "CollectionId", 64), opt_text(r, "RequestId", 64),
                                opt_text(r, "Search:LongId", 256), opt_text(r, "InstanceId", 32),
                                r.has("SendResponse") or flag(r, "SendResponse")))
    if not out:
        raise RequestError("MeetingResponse without Request", bad)
    return tuple(out)


def build_meetingresponse_response(results: list[tuple[str, int, str | None]]) -> Element:
    """results: (request_id, status, calendar_id or None)."""
    return MR("MeetingResponse", *[
        MR("Result", MR("RequestId", text=rid), MR("Status", text=status),
           MR("CalendarId", text=cal) if cal is not None else None) for rid, status, cal in results])
