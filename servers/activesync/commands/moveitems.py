"""MoveItems ([MS-ASCMD] 2.2.1.12): Status 3 with the new ServerId on success.

The moving device's own sync states learn about the move at once, so its next
Sync neither deletes the item again nor adds it twice. Moves into or out of Spam
train the spam filter (servers/core/training.py), as IMAP MOVE does.
"""

from __future__ import annotations

from postvak.protocols.activesync import build_moveitems_response, parse_moveitems
from postvak.protocols.activesync import status as S
from postvak.protocols.activesync.element import Element
from postvak.servers.activesync import syncstate as SS
from postvak.servers.activesync.commands.sync import _mailbox
from postvak.servers.activesync.ids import BadId, folder_id, item_id, parse_item
from postvak.servers.activesync.request import Request
from postvak.servers.core import training
from postvak.store import messages
from postvak.store.errors import NotFound, QuotaExceeded


async def handle(req: Request) -> Element:
    results: list[tuple[str, int, str | None]] = []
    for m in parse_moveitems(req.need_tree()):
        results.append(await _move(req, m.src_msg_id, m.src_fld_id, m.dst_fld_id))
    return build_moveitems_response(results)


async def _move(req: Request, src_msg: str, src_fld: str, dst_fld: str) -> tuple[str, int, str | None]:
    try:
        ref = parse_item(src_msg)
    except BadId:
        return src_msg, S.MOVE_INVALID_SOURCE, None
    src = await _mailbox(req, src_fld)
    if src is None or src.id != ref.mailbox_id:
        return src_msg, S.MOVE_INVALID_SOURCE, None
    dst = await _mailbox(req, dst_fld)
    if dst is None:
        return src_msg, S.MOVE_INVALID_DESTINATION, None
    if dst.id == src.id:
        return src_msg, S.MOVE_SAME_SOURCE_AND_DESTINATION, None
    try:
        pairs = await req.write(messages.move, src.id, [ref.uid], dst.id)
    except QuotaExceeded:
        return src_msg, S.MOVE_FAILURE, None
    except NotFound:
        return src_msg, S.MOVE_INVALID_SOURCE, None
    if not pairs:
        return src_msg, S.MOVE_INVALID_SOURCE, None
    new_uid = pairs[0][1]
    if training.move_class(src, dst) is not None:
        # Never fails the move: training logs its own errors.
        metas = await req.read(messages.fetch_meta, dst.id, [new_uid])
        await training.train_on_move(req.ctx, req.account.id, src, dst, metas)
    if req.persistent:
        await req.write(SS.adjust_have, req.account.id, req.device_id, folder_id(src.id), [], [ref.uid])
        await req.write(SS.adjust_have, req.account.id, req.device_id, folder_id(dst.id), [new_uid], [])
    return src_msg, S.MOVE_SUCCESS, item_id(dst.id, new_uid)
