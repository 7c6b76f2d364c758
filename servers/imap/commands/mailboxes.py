"""LIST (+ LIST-EXTENDED, LIST-STATUS, SPECIAL-USE, CHILDREN), LSUB, CREATE, DELETE, RENAME,
SUBSCRIBE, UNSUBSCRIBE, STATUS (RFC 9051 6.3, RFC 5258, RFC 5819, RFC 6154, RFC 3348, RFC 8438)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from postvak.protocols.imap import codes
from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap import requests as rq
from postvak.servers.imap.errors import Bad, No, from_store
from postvak.store import fetchmeta, mailboxes, messages, recent
from postvak.store.errors import NotFound, StoreError
from postvak.store.types import Mailbox, MessageMeta

if TYPE_CHECKING:
    from postvak.servers.imap.session import ImapSession

SEP = "/"
NO_INFERIORS = ("\\Sent", "\\Junk")  # the store refuses children under Sent and Spam
SPECIAL_USES = frozenset({"\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"})


@lru_cache(maxsize=256)
def _pattern(text: str) -> re.Pattern[str]:
    # RFC 9051 6.3.9: "*" matches anything, "%" anything but the hierarchy separator.
    out = []
    for ch in text:
        if ch == "*":
            out.append(".*")
        elif ch == "%":
            out.append("[^/]*")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _matches(name: str, pattern: str) -> bool:
    if name == "INBOX":
        # INBOX is case-insensitive in patterns too (RFC 9051 6.3.9).
        return bool(_pattern(pattern).match(name) or _pattern(pattern.upper()).match(name))
    return bool(_pattern(pattern).match(name))


def _full_pattern(reference: str, pattern: str) -> str:
    # RFC 9051 6.3.9: the reference is prefixed as given (it normally ends with "/");
    # a pattern starting with the separator stands alone.
    if not reference or pattern.startswith(SEP):
        return pattern
    return reference + pattern


async def _status_items(s: ImapSession, mb: Mailbox, items: tuple[str, ...]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    deleted: list[MessageMeta] | None = None
    for item in items:
        name = item.upper()
        if name == "MESSAGES":
            out.append((name, mb.messages))
        elif name == "RECENT":
            out.append((name, await _recent(s, mb)))
        elif name == "UIDNEXT":
            out.append((name, mb.uidnext))
        elif name == "UIDVALIDITY":
            out.append((name, mb.uidvalidity))
        elif name == "UNSEEN":
            out.append((name, mb.unseen))
        elif name == "SIZE":
            out.append((name, mb.size))  # RFC 8438
        elif name == "HIGHESTMODSEQ":
            out.append((name, mb.highestmodseq))  # RFC 7162 3.1.6
        elif name in ("DELETED", "DELETED-STORAGE"):
            if deleted is None:
                snap = await s.ctx.runner.read(messages.snapshot, mb.id)
                deleted = [m for m in snap.messages if "\\Deleted" in m.flags]
            if name == "DELETED":
                out.append((name, len(deleted)))  # RFC 9051 6.3.11
            else:
                # RFC 9208: what an EXPUNGE would free; the sum of the RFC822.SIZEs (octets)
                out.append((name, sum(m.size for m in deleted)))
        elif name == "APPENDLIMIT":
            out.append((name, s.auth_limits.literal_size))  # RFC 7889
    return out


async def _recent(s: ImapSession, mb: Mailbox) -> int:
    """RFC 3501 6.3.10 STATUS RECENT: the messages no session has claimed yet (\\Recent for the
    next SELECT), plus the ones this session holds as \\Recent if it has ``mb`` selected."""
    n = 0 if mb.recent_uid >= mb.uidnext - 1 else await s.ctx.runner.read(recent.unclaimed, mb.id)
    view = getattr(s.state, "view", None)
    if view is not None and view.mailbox_id == mb.id and not view.readonly:
        n += len(view.recent)  # EXAMINE's are unclaimed ones: counted already
    return n


def _attributes(mb: Mailbox, names: set[str], subscribed: bool, extended: bool) -> list[str]:
    attrs: list[str] = []
    has_children = any(n.startswith(mb.name + SEP) for n in names)
    if mb.special_use in NO_INFERIORS and mb.system:
        attrs.append("\\Noinferiors")
    attrs.append("\\HasChildren" if has_children else "\\HasNoChildren")  # RFC 3348
    if subscribed and mb.subscribed:
        attrs.append("\\Subscribed")
    if mb.special_use:
        attrs.append(mb.special_use)  # RFC 6154 2: shown in every LIST, not only RETURN (SPECIAL-USE)
    return attrs


async def list_(s: ImapSession, tag: str, req: rq.List) -> None:
    if len(req.patterns) == 1 and req.patterns[0] == "" and not req.extended:
        # RFC 9051 6.3.9: empty pattern asks for the delimiter and the root.
        s.write(fmt.list_response(["\\Noselect"], SEP, "", s.utf8))
        return
    boxes = await s.ctx.runner.read(mailboxes.list_mailboxes, s.account.id)
    await _send_list(s, boxes, req.reference, req.patterns, req.selection, req.returns, req.status_items)


async def _send_list(
    s: ImapSession, boxes: list[Mailbox], reference: str, patterns: tuple[str, ...], selection: frozenset[str],
    returns: frozenset[str], status_items: tuple[str, ...], kind: str = "LIST",
) -> None:
    names = {b.name for b in boxes}
    full = [_full_pattern(reference, p) for p in patterns]
    only_subscribed = "SUBSCRIBED" in selection
    show_subscribed = only_subscribed or "SUBSCRIBED" in returns
    recursive = "RECURSIVEMATCH" in selection
    for mb in boxes:
        if not any(_matches(mb.name, p) for p in full):
            continue
        if "SPECIAL-USE" in selection and not mb.special_use:
            continue
        extended: list[bytes] = []
        if only_subscribed and not mb.subscribed:
            # RFC 5258 3.5: with RECURSIVEMATCH a parent of a subscribed mailbox is listed with CHILDINFO.
            if recursive and any(b.subscribed and b.name.startswith(mb.name + SEP) for b in boxes):
                extended.append(b'"CHILDINFO" ("SUBSCRIBED")')
            else:
                continue
        attrs = _attributes(mb, names, show_subscribed, bool(selection or returns))
        if kind == "LSUB":
            attrs = [a for a in attrs if a != "\\Subscribed"]
        s.write(fmt.list_response(attrs, SEP, mb.name, s.utf8, extended, kind))
        if "STATUS" in returns and status_items:
            # RFC 5819: the STATUS follows its LIST line.
            s.write(fmt.status_response(mb.name, await _status_items(s, mb, status_items), s.utf8))


async def lsub(s: ImapSession, tag: str, req: rq.Lsub) -> None:
    boxes = await s.ctx.runner.read(mailboxes.list_mailboxes, s.account.id)
    await _send_list(s, boxes, req.reference, (req.pattern,), frozenset({"SUBSCRIBED"}), frozenset(), (),
                     kind="LSUB")


async def create(s: ImapSession, tag: str, req: rq.Create) -> None:
    use = None
    if req.special_use:
        if len(req.special_use) > 1 or req.special_use[0] not in SPECIAL_USES:
            raise No("unsupported special-use attribute", codes.USEATTR)  # RFC 6154 6
        use = req.special_use[0]
    name = req.mailbox.rstrip(SEP)  # RFC 9051 6.3.4: a trailing separator only says children will follow
    if not name or name == "INBOX":
        raise No("mailbox already exists", codes.ALREADYEXISTS)
    try:
        await s.ctx.runner.write(mailboxes.create_mailbox, s.account.id, name, use)
    except StoreError as exc:
        if type(exc) is StoreError:
            raise Bad(exc.message) from exc
        raise from_store(exc) from exc


async def delete(s: ImapSession, tag: str, req: rq.Delete) -> None:
    await s.ctx.runner.write(mailboxes.delete_mailbox, s.account.id, req.mailbox)


MOVE_CHUNK = 500  # uids per messages.move call: keeps each IN (...) list under SQLite's variable limit


def rename_inbox(tx: Any, account_id: int, new: str) -> Mailbox:
    """RFC 3501 6.3.5 / RFC 9051 6.3.6: RENAME INBOX creates ``new`` and moves every message of
    INBOX into it; INBOX stays, empty, and its children are not renamed. One transaction."""
    inbox = mailboxes.get_mailbox(tx, account_id, "INBOX")
    target = mailboxes.create_mailbox(tx, account_id, new)
    uids = fetchmeta.all_uids(tx, inbox.id)
    for i in range(0, len(uids), MOVE_CHUNK):
        messages.move(tx, inbox.id, uids[i : i + MOVE_CHUNK], target.id)
    return mailboxes.get_mailbox_by_id(tx, target.id)


async def rename(s: ImapSession, tag: str, req: rq.Rename) -> None:
    try:
        if mailboxes.canonical(req.old) == "INBOX":
            new = req.new.rstrip(SEP)
            if mailboxes.canonical(new) == "INBOX":
                raise No("cannot rename INBOX to itself", codes.ALREADYEXISTS)
            await s.ctx.runner.write(rename_inbox, s.account.id, new)
            return
        await s.ctx.runner.write(mailboxes.rename_mailbox, s.account.id, req.old, req.new)
    except StoreError as exc:
        if type(exc) is StoreError:
            raise No(exc.message, codes.CANNOT) from exc
        raise


async def subscribe(s: ImapSession, tag: str, req: rq.Subscribe) -> None:
    await s.ctx.runner.write(mailboxes.set_subscribed, s.account.id, req.mailbox, True)


async def unsubscribe(s: ImapSession, tag: str, req: rq.Unsubscribe) -> None:
    await s.ctx.runner.write(mailboxes.set_subscribed, s.account.id, req.mailbox, False)


async def status(s: ImapSession, tag: str, req: rq.Status) -> None:
    mb: Any = await s.ctx.runner.read(mailboxes.find_mailbox, s.account.id, req.mailbox)
    if mb is None:
        raise from_store(NotFound(f"no mailbox {req.mailbox}"))
    s.write(fmt.status_response(mb.name, await _status_items(s, mb, req.items), s.utf8))
