"""Search ([MS-ASCMD] 2.2.1.16: Mailbox through the store's full-text index, GAL
over the account directory), Find (2.2.1.8, 16.1) and ResolveRecipients (2.2.1.18)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from postvak.protocols.activesync import (
    Recipient,
    build_find_response,
    build_resolverecipients_response,
    build_search_response,
    build_search_result,
    parse_date,
    parse_find,
    parse_resolverecipients,
    parse_search,
)
from postvak.protocols.activesync import status as S
from postvak.protocols.activesync.cmd_search import gal_properties
from postvak.protocols.activesync.element import E, Element, ns
from postvak.servers.activesync import mailitem
from postvak.servers.activesync.ids import BadId, folder_id, item_id, parse_folder
from postvak.servers.activesync.request import Request
from postvak.store import accounts, mailboxes, messages
from postvak.store import search as store_search

FD = ns("Find")
SR = ns("Search")
DEFAULT_RANGE = (0, 99)


async def _mailbox_ids(req: Request, collection_ids: list[str]) -> list[int]:
    boxes = await req.read(mailboxes.list_mailboxes, req.account.id)
    own = {m.id for m in boxes}
    if not collection_ids:
        return sorted(own)
    out = []
    for cid in collection_ids:
        try:
            box_id = parse_folder(cid)
        except BadId:
            continue
        if box_id in own:
            out.append(box_id)
    return out


def _walk(q: Element) -> list[Element]:
    out, work = [], [q]
    while work:
        el = work.pop()
        out.append(el)
        work.extend(reversed(el.children))
    return out


async def _hits(req: Request, box_ids: list[int], free_text: str | None, after: datetime | None,
                before: datetime | None, limit: int) -> list[tuple[int, int]]:
    if free_text:
        found = await req.read(store_search.search_terms, box_ids, free_text, limit if not (after or before) else 5000)
        pairs = [(mb, uid) for mb, uid, _ in found]
    else:
        rows = []
        for box_id in box_ids:
            snap = await req.read(messages.snapshot, box_id)
            rows += [(m.internal_date, box_id, m.uid) for m in snap.messages]
        rows.sort(reverse=True)
        pairs = [(mb, uid) for _, mb, uid in rows]
    if after or before:
        dated = []
        for mb, uid in pairs:
            metas = await req.read(messages.fetch_meta, mb, [uid])
            if metas and (after is None or metas[0].internal_date > after) \
                    and (before is None or metas[0].internal_date < before):
                dated.append((mb, uid))
            if len(dated) >= limit:
                break
        pairs = dated
    return pairs[:limit]


async def _metas(req: Request, pairs: list[tuple[int, int]]) -> list[Any]:
    out = []
    for mb, uid in pairs:
        out += await req.read(messages.fetch_meta, mb, [uid])
    return out


async def handle_search(req: Request) -> Element:
    r = parse_search(req.need_tree())
    first, last = r.range or DEFAULT_RANGE
    if r.store.lower() == "gal":
        people = await _directory(req, r.free_text or "")
        page = people[first:last + 1]
        gal_rows = [gal_properties(name, email) for name, email in page]
        return build_search_response(S.SEARCH_SUCCESS, S.SEARCH_SUCCESS, results=gal_rows,
                                     range_=(first, first + len(page) - 1), total=len(people))
    if r.store.lower() != "mailbox":
        return build_search_response(S.SEARCH_SUCCESS, S.SEARCH_BAD_LINK)
    nodes = _walk(r.query)
    collections = [n.value for n in nodes if n.tag == "AirSync:CollectionId"]
    after = before = None
    for n in nodes:
        value = n.findtext("Search:Value") if n.tag in ("Search:GreaterThan", "Search:LessThan") else None
        if value:
            try:
                when = parse_date(value)
            except ValueError:
                return build_search_response(S.SEARCH_SUCCESS, S.SEARCH_INVALID_REQUEST)
            after, before = (when, before) if n.tag == "Search:GreaterThan" else (after, when)
    box_ids = await _mailbox_ids(req, collections)
    pairs = await _hits(req, box_ids, r.free_text, after, before, last + 1)
    metas = await _metas(req, pairs[first:last + 1])
    choice = mailitem.choose_body(r.options)
    results: list[Element] = []
    for meta in metas:
        raw = await mailitem.read_raw(req.ctx, meta.blob_sha) if choice else None
        props = mailitem.email_data(meta, req.v, raw, choice, tag="Search:Properties").children
        results += build_search_result(props, class_="Email", long_id=item_id(meta.mailbox_id, meta.uid),
                                       collection_id=folder_id(meta.mailbox_id))
    return _mailbox_response(results, first, len(pairs))


def _mailbox_response(results: list[Element], first: int, total: int) -> Element:
    """[MS-ASCMD] 2.2.3.152.2: Result elements (one empty Result when nothing matched),
    then Range and Total. Built here because build_search_response keeps a Mailbox
    hit's 1-tuple instead of its Result element, which the encoder cannot write."""
    rows = results or [SR("Result")]
    return SR("Search", SR("Status", text=S.SEARCH_SUCCESS), SR("Response", SR(
        "Store", SR("Status", text=S.SEARCH_SUCCESS), *rows,
        SR("Range", text=f"{first}-{first + len(results) - 1}") if results else None, SR("Total", text=total))))


async def handle_find(req: Request) -> Element:
    r = parse_find(req.need_tree())
    first, last = r.range or DEFAULT_RANGE
    if r.gal:
        people = (await _directory(req, r.free_text))[first:last + 1]
        gal_hits = [(FD("Properties", *gal_properties(n, e)),) for n, e in people]
        return build_find_response(S.FIND_SUCCESS, gal_hits, (first, first + len(gal_hits) - 1), len(gal_hits))
    box_ids = await _mailbox_ids(req, [r.collection_id] if r.collection_id else [])
    pairs = await _hits(req, box_ids, r.free_text, None, None, last + 1)
    rows: list[tuple[Element, ...]] = []
    for meta in await _metas(req, pairs[first:last + 1]):
        data = mailitem.email_data(meta, req.v, None, None, tag="Find:Properties")
        keep = [c for c in data.children if c.tag in ("Email:Subject", "Email:DateReceived", "Email:From",
                                                       "Email:DisplayTo", "Email:Read", "Email:Importance")]
        if meta.preview:
            keep.append(FD("Preview", text=meta.preview[:255]))
        rows.append((E("AirSync:Class", text="Email"), E("AirSync:ServerId", text=item_id(meta.mailbox_id, meta.uid)),
                     E("AirSync:CollectionId", text=folder_id(meta.mailbox_id)), FD("Properties", *keep)))
    return build_find_response(S.FIND_SUCCESS, rows, (first, first + len(rows) - 1), len(pairs))


async def _directory(req: Request, query: str) -> list[tuple[str, str]]:
    """(display name, address) of accounts matching the query by address or local part."""
    q = query.strip().lower()
    if not q:
        return []
    out = []
    for account in await req.read(accounts.list_accounts):
        address = account.address.lower()
        local = address.partition("@")[0]
        if address.startswith(q) or local.startswith(q) or q in address:
            out.append((local.replace(".", " ").title(), account.address))
    return sorted(out, key=lambda p: p[1])


async def handle_resolve(req: Request) -> Element:
    r = parse_resolverecipients(req.need_tree())
    responses: list[tuple[str, int, list[tuple[str, str]]]] = []
    for to in r.to:
        people = await _directory(req, to)
        exact = [p for p in people if p[1].lower() == to.strip().lower()]
        people = exact or people
        limit = r.max_ambiguous if r.max_ambiguous is not None else 20
        if not people:
            responses.append((to, S.RESOLVE_NOT_RESOLVED, []))
            continue
        status = S.RESOLVE_SUCCESS if len(people) == 1 else S.RESOLVE_AMBIGUOUS
        responses.append((to, status, [Recipient(n, e) for n, e in people[:limit]]))
    return build_resolverecipients_response(S.RESOLVE_SUCCESS, responses)
