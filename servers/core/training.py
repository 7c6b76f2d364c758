"""Spam training from what users do (issue 6): a message moved (or copied) into Spam
trains spam; moved out of Spam anywhere but Trash trains ham; the `$Junk` / `$NotJunk`
keywords likewise. IMAP (and later ActiveSync) sessions call these after their store
write. Each message is remembered with the class it was trained as (state table,
keyed by its blob), so a change of mind untrains first and a repeat is a no-op.
Training never fails the user's command: errors are logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from postvak.servers.core import delivery_spam
from postvak.servers.core.pipeline import trace_end
from postvak.store import mailboxes, messages, state

JUNK, TRASH = "\\Junk", "\\Trash"
SCOPE = "spam-trained"
VERDICT_HEADERS = (b"x-spam-status:", b"x-spam-score:", b"x-spam-flag:")


def move_class(src: Any, dst: Any) -> bool | None:
    """True: train spam; False: train ham; None: nothing to learn."""
    src_junk, dst_junk = src.special_use == JUNK, dst.special_use == JUNK
    if dst_junk and not src_junk:
        return True
    if src_junk and not dst_junk and dst.special_use != TRASH:
        return False
    return None


def keyword_class(added: Iterable[str], removed: Iterable[str] = ()) -> bool | None:
    added_l = {k.lower() for k in added}
    if "$junk" in added_l:
        return True
    if "$notjunk" in added_l:
        return False
    return None


def strip_verdict(raw: bytes) -> bytes:
    """Our own X-Spam-* lines sit on top of stored mail (below Return-Path, see
    pipeline.with_verdict); they are not the sender's words."""
    head = trace_end(raw)
    pos = head
    while raw[pos:pos + 14].lower().startswith(VERDICT_HEADERS):
        end = raw.find(b"\n", pos)
        if end < 0:
            break
        pos = end + 1
    return raw[:head] + raw[pos:]


def train_message(tx: Any, account_id: int, blob_sha: str, raw: bytes, is_spam: bool) -> bool:
    """The write job: train unless already trained this way; untrain a previous opposite."""
    before = state.get(tx, SCOPE, account_id, blob_sha)
    wanted = "spam" if is_spam else "ham"
    if before == wanted:
        return False
    undo = None if before is None else before == "spam"
    delivery_spam.train(tx, account_id, raw, is_spam, undo)
    state.put(tx, SCOPE, account_id, blob_sha, wanted)
    return True


async def _train(ctx: Any, account_id: int, metas: Iterable[Any], is_spam: bool) -> int:
    done = 0
    for meta in metas:
        try:
            raw = await ctx.runner.offload(_read_blob, ctx.store, meta.blob_sha)
            if await ctx.runner.write(train_message, account_id, meta.blob_sha, strip_verdict(raw), is_spam):
                done += 1
        except Exception as exc:
            ctx.log.error("spam.train_failed", account=account_id, error=repr(exc), exc_info=True)
    if done:
        ctx.log.info("spam.trained", account=account_id, messages=done, spam=is_spam)
    return done


def _read_blob(store: Any, sha: str) -> bytes:
    with store.blobs.open(sha) as fh:
        return bytes(fh.read())


async def train_on_move(ctx: Any, account_id: int, src_mailbox: Any, dst_mailbox: Any, metas: Iterable[Any]) -> int:
    """After MOVE/COPY (mailboxes are store Mailbox objects, metas MessageMeta with blob_sha)."""
    cls = move_class(src_mailbox, dst_mailbox)
    return 0 if cls is None else await _train(ctx, account_id, metas, cls)


async def train_on_keywords(ctx: Any, account_id: int, metas: Iterable[Any], added: Iterable[str],
                            removed: Iterable[str] = ()) -> int:
    """After a flag change that added `$Junk` or `$NotJunk`."""
    cls = keyword_class(added, removed)
    return 0 if cls is None else await _train(ctx, account_id, metas, cls)


async def after_copy(ctx: Any, account_id: int, src_mailbox_id: int, dst_mailbox: Any,
                     pairs: list[tuple[int, int]]) -> None:
    """IMAP COPY/MOVE hook: looks up what it needs only when Spam is involved."""
    try:
        src = await ctx.runner.read(mailboxes.get_mailbox_by_id, src_mailbox_id)
        if not pairs or move_class(src, dst_mailbox) is None:
            return
        metas = await ctx.runner.read(messages.fetch_meta, dst_mailbox.id, [b for _, b in pairs])
        await train_on_move(ctx, account_id, src, dst_mailbox, metas)
    except Exception as exc:
        ctx.log.error("spam.train_failed", account=account_id, error=repr(exc), exc_info=True)


async def after_store(ctx: Any, account_id: int, mailbox_id: int, uids: list[int], flags: Iterable[str],
                      adding: bool) -> None:
    """IMAP STORE hook (+FLAGS or FLAGS with $Junk/$NotJunk)."""
    flags = list(flags)
    if not adding or keyword_class(flags) is None or not uids:
        return
    try:
        metas = await ctx.runner.read(messages.fetch_meta, mailbox_id, uids)
        await train_on_keywords(ctx, account_id, metas, flags)
    except Exception as exc:
        ctx.log.error("spam.train_failed", account=account_id, error=repr(exc), exc_info=True)
