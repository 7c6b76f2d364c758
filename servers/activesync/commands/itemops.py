"""ItemOperations ([MS-ASCMD] 2.2.1.10): Fetch of items (by ServerId or Search
LongId) and attachments (FileReference, optional byte Range), EmptyFolderContents.

Attachment bytes travel base64 in ItemOperations:Data (2.2.3.39.2) unless the
client asked for a multipart answer, which we do not offer.
"""

from __future__ import annotations

import base64
from typing import Any

from postvak.protocols.activesync import FetchResult, build_itemoperations_response, parse_itemoperations
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
from postvak.store import mailboxes, messages
from postvak.store.errors import NotFound, StoreError

ASB = ns("AirSyncBase")


async def handle(req: Request) -> Element:
    r = parse_itemoperations(req.need_tree())
    out: list[Any] = []
    for op in r.operations:
        if isinstance(op, FetchOp):
            out.append(await _fetch(req, op))
        elif isinstance(op, EmptyFolderOp):
            out.append(("EmptyFolderContents", await _empty(req, op)))
        else:
            out.append(("Move", S.ITEMOPS_ACTION_NOT_SUPPORTED))
    return build_itemoperations_response(S.ITEMOPS_SUCCESS, out)


async def _meta(req: Request, mailbox_id: int, uid: int) -> Any:
    box = await _mailbox(req, str(mailbox_id))
    if box is None:
        raise NotFound("no such folder")
    metas = await req.read(messages.fetch_meta, box.id, [uid])
    if not metas:
        raise NotFound("no such item")
    return metas[0]


async def _fetch(req: Request, op: FetchOp) -> FetchResult:
    if op.store.lower() != "mailbox":
        return FetchResult(S.ITEMOPS_UNKNOWN_STORE)
    try:
        if op.file_reference:
            return await _attachment(req, op)
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


async def _attachment(req: Request, op: FetchOp) -> FetchResult:
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
             IO("Data", text=base64.b64encode(data).decode("ascii")))
    return FetchResult(S.ITEMOPS_SUCCESS, file_reference=op.file_reference,
                       properties=tuple(p for p in props if p is not None))


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
