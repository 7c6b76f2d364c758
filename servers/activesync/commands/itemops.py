"""ItemOperations ([MS-ASCMD] 2.2.1.10): Fetch of items (by ServerId or Search
LongId) and attachments (FileReference, optional byte Range), EmptyFolderContents.

Attachment bytes travel base64 in ItemOperations:Data (2.2.3.39.2), or, when the
client accepts a multipart answer (MS-ASAcceptMultiPart: T), as raw parts after the
WBXML with ItemOperations:Part naming them (2.2.2.9, [MS-ASHTTP] 2.2.6.2).
"""

from __future__ import annotations

import base64
import struct
from typing import Any

from postvak.protocols.activesync import (
    FetchResult,
    build_itemoperations_response,
    encode,
    parse_itemoperations,
)
from postvak.protocols.activesync import status as S
from postvak.protocols.activesync.cmd_common import IO
from postvak.protocols.activesync.cmd_items import EmptyFolderOp, FetchOp
from postvak.protocols.activesync.element import Element, ns
from postvak.protocols.mime import BodyPart, decode_part, find_part
from postvak.protocols.mime.errors import MimeError
from postvak.servers.activesync import mailitem
from postvak.servers.activesync.commands.sync import _mailbox
from postvak.servers.activesync.ids import BadId, parse_file_reference, parse_item
from postvak.servers.activesync.request import Request
from postvak.servers.core.context import HttpResponse
from postvak.store import mailboxes, messages
from postvak.store.errors import NotFound, StoreError

ASB = ns("AirSyncBase")
MULTIPART = "application/vnd.ms-sync.multipart"


def multipart_body(wbxml: bytes, parts: list[bytes]) -> bytes:
    """[MS-ASCMD] 2.2.2.9 MultiPartResponse: a little-endian int32 count, (offset,
    length) int32 pairs, then the parts; part 0 is the WBXML answer."""
    blobs = [wbxml, *parts]
    offset = 4 + 8 * len(blobs)
    table = [struct.pack("<i", len(blobs))]
    for b in blobs:
        table.append(struct.pack("<ii", offset, len(b)))
        offset += len(b)
    return b"".join(table) + b"".join(blobs)


async def handle(req: Request) -> Element | HttpResponse:
    r = parse_itemoperations(req.need_tree())
    out: list[Any] = []
    parts: list[bytes] | None = [] if req.multipart else None
    for op in r.operations:
        if isinstance(op, FetchOp):
            out.append(await _fetch(req, op, parts))
        elif isinstance(op, EmptyFolderOp):
            out.append(("EmptyFolderContents", await _empty(req, op)))
        else:
            out.append(("Move", S.ITEMOPS_ACTION_NOT_SUPPORTED))
    tree = build_itemoperations_response(S.ITEMOPS_SUCCESS, out)
    if parts is None:
        return tree
    return HttpResponse(200, (("Content-Type", MULTIPART), ("MS-Server-ActiveSync", "16.1")),
                        multipart_body(encode(tree), parts))


async def _meta(req: Request, mailbox_id: int, uid: int) -> Any:
    box = await _mailbox(req, str(mailbox_id))
    if box is None:
        raise NotFound("no such folder")
    metas = await req.read(messages.fetch_meta, box.id, [uid])
    if not metas:
        raise NotFound("no such item")
    return metas[0]


async def _fetch(req: Request, op: FetchOp, parts: list[bytes] | None = None) -> FetchResult:
    if op.store.lower() != "mailbox":
        return FetchResult(S.ITEMOPS_UNKNOWN_STORE)
    try:
        if op.file_reference:
            return await _attachment(req, op, parts)
        ref = parse_item(op.long_id or op.server_id)
        meta = await _meta(req, ref.mailbox_id, ref.uid)
    except (BadId, NotFound):
        return FetchResult(S.ITEMOPS_OBJECT_NOT_FOUND, op.server_id, op.collection_id, op.long_id,
                           op.file_reference)
    choice = mailitem.choose_body(op.options) or mailitem.BodyChoice(mailitem.PLAIN, None, None)
    raw = await mailitem.read_raw(req.ctx, meta.blob_sha)
    props = mailitem.email_data(meta, req.v, raw, choice, tag="ItemOperations:Properties")
    return FetchResult(S.ITEMOPS_SUCCESS, op.server_id, op.collection_id, op.long_id,
                       class_="Email", properties=props.children)


async def _attachment(req: Request, op: FetchOp, parts: list[bytes] | None) -> FetchResult:
    ref, section = parse_file_reference(op.file_reference)
    meta = await _meta(req, ref.mailbox_id, ref.uid)
    part = find_part(BodyPart.from_json(meta.body_json), section) if meta.body_json else None
    if part is None:
        raise NotFound("no such part")
    raw = await mailitem.read_raw(req.ctx, meta.blob_sha)
    try:
        data = decode_part(raw, part)
    except MimeError:
        data = raw[part.body_start:part.end]
    total = len(data)
    if op.range:
        first, _, last = op.range.partition("-")
        if not (first.isdigit() and last.isdigit()) or int(first) > int(last) or int(first) >= max(total, 1):
            return FetchResult(S.ITEMOPS_INVALID_BYTE_RANGE, file_reference=op.file_reference)
        data = data[int(first):int(last) + 1]
    props = (ASB("ContentType", text=part.mime_type),
             IO("Range", text=f"{op.range.partition('-')[0]}-{int(op.range.partition('-')[0]) + len(data) - 1}")
             if op.range else None,
             IO("Total", text=total) if op.range else None,
             _payload(data, parts))
    return FetchResult(S.ITEMOPS_SUCCESS, file_reference=op.file_reference,
                       properties=tuple(p for p in props if p is not None))


def _payload(data: bytes, parts: list[bytes] | None) -> Element:
    if parts is None:
        return IO("Data", text=base64.b64encode(data).decode("ascii"))
    parts.append(data)
    return IO("Part", text=len(parts))  # part 0 is the WBXML itself


async def _empty(req: Request, op: EmptyFolderOp) -> int:
    box = await _mailbox(req, op.collection_id)
    if box is None:
        return S.ITEMOPS_OBJECT_NOT_FOUND
    try:
        snap = await req.read(messages.snapshot, box.id)
        uids = [m.uid for m in snap.messages]
        if uids:
            await req.write(messages.set_flags, box.id, uids, "add", ["\\Deleted"])
            await req.write(messages.expunge, box.id, uids)
        if op.delete_subfolders:
            children = [m for m in await req.read(mailboxes.list_mailboxes, req.account.id)
                        if m.name.startswith(box.name + "/") and m.name.count("/") == box.name.count("/") + 1]
            for child in children:
                await req.write(mailboxes.delete_mailbox, req.account.id, child.name)
    except StoreError:
        return S.ITEMOPS_SERVER_ERROR
    return S.ITEMOPS_SUCCESS
