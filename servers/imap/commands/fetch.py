"""FETCH / UID FETCH (RFC 9051 6.4.5, 7.5.2; BINARY RFC 3516; CONDSTORE/QRESYNC RFC 7162; PREVIEW RFC 8970).

Metadata comes from the store in chunks through ``store.fetchmeta``, which reads only the
columns the requested items need (a flags-only FETCH decodes no JSON); envelopes and body
structures are the JSON cached at ingest. Items that need no message body are answered
without an await per message: a chunk's responses are built at once and written in one
go. Encoded ENVELOPEs are kept per session (messages never change), so a client that
fetches them again costs no store JSON at all. Whole-message bodies (BODY[], RFC822, BODY[TEXT]) are streamed from
the blob store in 64 KiB reads with ``io.drain()`` between writes, so a 50 MB message
costs one chunk of memory per client; part sections read the message once. Smaller
messages (up to 4 MiB per chunk) are read in the same transaction as the chunk's
metadata (``store.blobbatch``), not one store read per message.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from postvak.protocols import mime
from postvak.protocols.imap import bodystructure, codes
from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap import requests as rq
from postvak.protocols.imap.fetch import Att, BinarySize, BodySection, FetchItem, Preview, Section, sets_seen
from postvak.servers.imap.errors import No
from postvak.servers.imap.selected import is_current
from postvak.store import blobbatch, fetchmeta, messages
from postvak.store.fetchmeta import FetchMeta

if TYPE_CHECKING:
    from postvak.servers.imap.selected import SelectedView
    from postvak.servers.imap.session import ImapSession

CHUNK = 500  # messages per store read
SMALL_READ = 64  # up to this many messages' metadata (and bodies): read on the reactor thread
SMALL_PREFETCH = 1024 * 1024  # bytes of bodies such a read brings along; the rest come one by one
READ = 64 * 1024  # bytes per blob read when streaming
STREAM_FROM = 256 * 1024  # bodies at least this big are streamed, smaller ones read at once
PREFETCH_MAX = 4 * 1024 * 1024  # bytes of small messages read with a chunk's metadata
ENVELOPE_CACHE_MAX = 5000  # encoded envelopes kept per selected mailbox (a few hundred bytes each)
PREVIEW_MAX = 256  # RFC 8970 3.1: at most 256 characters
FLUSH_AT = 256 * 1024  # built response bytes written (and drained) at once
BODYLESS = frozenset({"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "MODSEQ", "ENVELOPE", "BODY",
                      "BODYSTRUCTURE", "THREADID", "SAVEDATE", "EMAILID"})  # answered without the blob
FROM_VIEW = frozenset({"UID", "FLAGS", "MODSEQ"})  # the session's view holds these for every message


@dataclass(frozen=True)
class Stream:
    """A literal to copy from a blob: ``length`` octets from ``start``."""

    sha: str
    start: int
    length: int


Value = bytes | Stream


async def fetch(s: ImapSession, tag: str, req: rq.Fetch) -> None:
    view = s.view
    uids = view.resolve(req.seqset, req.uid)
    items: list[FetchItem] = list(req.items)
    if req.uid and Att("UID") not in items:
        items.insert(0, Att("UID"))  # RFC 9051 6.4.9: UID FETCH always returns UID
    if req.changedsince is not None or Att("MODSEQ") in items:
        s.enabled.add("CONDSTORE")  # RFC 7162 3.1: using CONDSTORE syntax enables it
        if Att("MODSEQ") not in items:
            items.append(Att("MODSEQ"))
    if req.vanished:
        if not s.qresync or req.changedsince is None:
            from postvak.servers.imap.errors import Bad

            raise Bad("VANISHED needs QRESYNC and CHANGEDSINCE")  # RFC 7162 3.2.6
        _, gone = await s.ctx.runner.read(messages.changes_since, view.mailbox_id, req.changedsince)
        top = view.uids[-1] if view.uids else 0
        gone = [u for u in gone if req.seqset.contains(u, max(top, *(gone or [0])))]
        if gone:
            s.write(fmt.vanished(gone, earlier=True))
    if all(isinstance(i, Att) and i.name in FROM_VIEW for i in items) and await is_current(s.ctx, view):
        await _fetch_from_view(s, view, uids, items, req.changedsince)
        return
    set_seen = sets_seen(tuple(items)) and not view.readonly
    fields = needed_fields(items)
    plain = all(isinstance(i, Preview) or (isinstance(i, Att) and i.name in BODYLESS) for i in items)
    preview_item = next((i for i in items if isinstance(i, Preview)), None)
    wants_envelope = Att("ENVELOPE") in items
    wants_body = any(isinstance(i, (BodySection, BinarySize)) or (isinstance(i, Att) and i.name.startswith("RFC822")
                                                                  and i.name != "RFC822.SIZE") for i in items)
    # (item, response name) pairs, made once per command rather than once per message.
    named = _named(items)
    named_seen = named if Att("FLAGS") in items else _named([*items, Att("FLAGS")])  # FLAGS after a \Seen
    for start in range(0, len(uids), CHUNK):
        chunk = uids[start : start + CHUNK]
        seen_now: set[int] = set()
        if set_seen:
            unseen = [u for u in chunk if "\\Seen" not in view.flags.get(u, frozenset())]
            if unseen:
                changed, _ = await s.ctx.runner.write(messages.set_flags, view.mailbox_id, unseen, "add", ["\\Seen"])
                for state in changed:
                    view.note_flags(state.uid, state.flags, state.modseq)
                    seen_now.add(state.uid)
        need = fields
        if wants_envelope and all((u, s.utf8) in view.envelopes for u in chunk):
            need = fields - {"envelope"}  # every envelope of this chunk is already encoded
        bodies: dict[str, bytes] = {}
        # A few messages' rows are read on the reactor thread (StoreRunner.read_here).
        small = len(chunk) <= SMALL_READ
        read = s.ctx.runner.read_here if small else s.ctx.runner.read
        if wants_body:
            budget = SMALL_PREFETCH if small else PREFETCH_MAX
            metas, bodies = await read(meta_and_bodies, view.mailbox_id, chunk, need, budget)
        else:
            metas = await read(fetchmeta.fetch_meta, view.mailbox_id, chunk, need)
        lines: list[bytes] = []
        pending = 0  # bytes in lines
        for meta in metas:
            if req.changedsince is not None and meta.modseq <= req.changedsince:
                continue
            seq = view.seq_of(meta.uid)
            if seq is None:
                continue
            view.note_flags(meta.uid, meta.flags, meta.modseq)
            its = named_seen if meta.uid in seen_now else named
            if plain and not (preview_item and meta.preview is None and not preview_item.lazy):
                lines.append(_plain_line(s, view, seq, meta, its))
                continue
            body = bodies.get(meta.blob_sha)
            if body is not None:  # read with the chunk: built without awaiting, like plain lines
                parts, streams = _parts(s, view, meta, its, body)
                if not streams:
                    lines.append(_line(seq, parts))
                    pending += len(lines[-1])
                    if pending >= FLUSH_AT:
                        s.write(b"".join(lines))
                        lines, pending = [], 0
                        await s.io.drain()
                    continue
            if lines:
                s.write(b"".join(lines))  # keep the order: what was built goes out first
                lines, pending = [], 0
            await _send(s, view, seq, meta, its, body)
        if lines:
            s.write(b"".join(lines))
            await s.io.drain()


async def _fetch_from_view(s: ImapSession, view: SelectedView, uids: list[int], items: list[FetchItem],
                           changedsince: int | None) -> None:
    """UID / FLAGS / MODSEQ answered from the session's view, no per-message store read.
    Built for FETCH 1:* (UID FLAGS) on big mailboxes: one %-template per line, flag lists
    encoded once per distinct flag set, sequence numbers found from the previous one."""
    names = [i.name for i in items]  # type: ignore[union-attr]
    pieces = {"UID": b"UID %d", "FLAGS": b"FLAGS %s", "MODSEQ": b"MODSEQ (%d)"}
    template = b"* %d FETCH (" + b" ".join(pieces[n] for n in names) + b")\r\n"
    recent = view.recent if not s.rev2 else set()
    encoded: dict[tuple[frozenset[str], bool], bytes] = {}
    all_uids, flags, modseqs = view.uids, view.flags, view.modseqs
    count = len(all_uids)
    lo, prev = 0, -1
    for start in range(0, len(uids), CHUNK):
        lines: list[bytes] = []
        for uid in uids[start : start + CHUNK]:
            modseq = modseqs.get(uid, 0)
            if changedsince is not None and modseq <= changedsince:
                continue
            i = bisect.bisect_left(all_uids, uid, lo if uid > prev else 0)
            if i >= count or all_uids[i] != uid:
                continue
            lo, prev = i, uid
            args: list[Any] = []
            for name in names:
                if name == "UID":
                    args.append(uid)
                elif name == "FLAGS":
                    key = (flags.get(uid, frozenset()), uid in recent)
                    fb = encoded.get(key)
                    if fb is None:
                        fb = encoded[key] = fmt.flag_list(sorted(key[0]) + (["\\Recent"] if key[1] else []))
                    args.append(fb)
                else:
                    args.append(modseq)
            lines.append(template % (i + 1, *args))
        if lines:
            s.write(b"".join(lines))
            await s.io.drain()


def meta_and_bodies(tx: Any, mailbox_id: int, uids: list[int], fields: frozenset[str],
                    budget: int = PREFETCH_MAX) -> tuple[list[FetchMeta], dict[str, bytes]]:
    """The chunk's metadata and, in the same transaction, the bytes of its small messages
    (up to ``budget`` bytes in all): one store read per chunk instead of one per message."""
    metas = fetchmeta.fetch_meta(tx, mailbox_id, uids, fields | {"size", "blob_sha"})
    shas: list[str] = []
    total = 0
    for m in metas:
        if m.blob_sha and m.size < STREAM_FROM and total + m.size <= budget:
            shas.append(m.blob_sha)
            total += m.size
    return metas, blobbatch.read_many(tx, shas)


@functools.lru_cache(maxsize=512)
def _name(item: FetchItem) -> bytes:
    """The item's name in the response, encoded once per distinct item."""
    return item.response_name().encode("ascii")


Named = list[tuple[FetchItem, bytes]]


def _named(items: list[FetchItem]) -> Named:
    return [(item, _name(item)) for item in items]


def needed_fields(items: list[FetchItem]) -> frozenset[str]:
    """The ``store.fetchmeta`` fields the FETCH items read (flags, uid and modseq always come)."""
    need: set[str] = set()
    for item in items:
        if isinstance(item, Att):
            name = item.name
            if name == "INTERNALDATE":
                need.add("internal_date")
            elif name == "RFC822.SIZE":
                need.add("size")
            elif name == "ENVELOPE":
                need.add("envelope")
            elif name in ("BODY", "BODYSTRUCTURE"):
                need.add("body")
            elif name == "THREADID":
                need.add("thread_id")
            elif name.startswith("RFC822"):
                need.update(("size", "blob_sha") if name == "RFC822" else ("offsets", "size", "blob_sha"))
        elif isinstance(item, Preview):
            need.update(("preview", "body", "blob_sha"))  # body and blob only used if no preview is stored
        elif isinstance(item, BinarySize) and not item.part or isinstance(item, BodySection) and not item.section.part:
            # The whole message or a top-level section: its offsets, not the whole structure's JSON.
            whole = isinstance(item, BinarySize) or item.binary or item.section.text is None
            need.update(("size", "blob_sha") if whole else ("offsets", "size", "blob_sha"))
        else:
            need.update(("body", "size", "blob_sha"))
    if "body" in need:
        need.discard("offsets")  # the structure holds them
    return frozenset(need)


def _plain_line(s: ImapSession, view: SelectedView, seq: int, meta: FetchMeta, items: Named) -> bytes:
    """``* seq FETCH (...)`` for items that need no message body, built without awaiting."""
    out = []
    for item, name in items:
        if isinstance(item, Preview):
            value = _preview(meta.preview, s.utf8)
        else:
            value = _plain_att(s, view, meta, item.name)  # type: ignore[union-attr]
        out.append(name + b" " + value)
    return b"* %d FETCH (" % seq + b" ".join(out) + b")\r\n"


def _plain_att(s: ImapSession, view: SelectedView, meta: FetchMeta, name: str) -> bytes:
    if name == "UID":
        return str(meta.uid).encode()
    if name == "FLAGS":
        return view.flag_bytes(meta.uid, s.rev2)
    if name == "INTERNALDATE":
        return fmt.date_time(meta.internal_date)
    if name == "RFC822.SIZE":
        return str(meta.size).encode()
    if name == "MODSEQ":
        return f"({meta.modseq})".encode()
    if name == "ENVELOPE":
        return _envelope(view, meta, s.utf8)
    if name in ("BODYSTRUCTURE", "BODY"):
        body = mime.BodyPart.from_json(meta.body_json) if meta.body_json else mime.BodyPart()
        return bodystructure.body(body, extensible=name == "BODYSTRUCTURE", utf8=s.utf8)
    if name == "THREADID":
        return f"(T{meta.thread_id})".encode() if meta.thread_id else b"NIL"
    return b"NIL"  # SAVEDATE, EMAILID: not kept


def _envelope(view: SelectedView, meta: FetchMeta, utf8: bool) -> bytes:
    key = (meta.uid, utf8)
    cached = view.envelopes.get(key)
    if cached is not None:
        return cached
    env = mime.Envelope.from_json(meta.envelope_json) if meta.envelope_json else mime.Envelope()
    data = envelope_bytes(env, utf8)
    if len(view.envelopes) >= ENVELOPE_CACHE_MAX:
        view.envelopes.clear()  # crude but bounded; a client rarely re-reads more than this
    view.envelopes[key] = data
    return data


# Printable ASCII without '"' and '\\': such text is quoted as it is (the common case).
_QUOTABLE = re.compile(r"[ !#-\[\]-~]*")


def _ns(value: Any, utf8: bool) -> bytes:
    if value is None:
        return b"NIL"
    if type(value) is str and len(value) <= fmt.QUOTED_MAX and _QUOTABLE.fullmatch(value):
        return b'"' + value.encode("ascii") + b'"'
    return fmt.nstring(value if isinstance(value, (bytes, str)) else str(value), utf8)


def _addresses(addresses: Any, utf8: bool) -> bytes:
    if not addresses:
        return b"NIL"
    return b"(" + b"".join(
        b"(" + _ns(a.name, utf8) + b" " + _ns(a.adl, utf8) + b" " + _ns(a.mailbox, utf8) + b" "
        + _ns(a.host, utf8) + b")" for a in addresses
    ) + b")"


def envelope_bytes(env: Any, utf8: bool) -> bytes:
    """RFC 9051 7.5.2 ENVELOPE, byte for byte what ``bodystructure.envelope`` gives (a test
    holds them equal) but about three times faster: FETCH 1:* ENVELOPE is what clients open
    a folder with. Sender and Reply-To default to From (RFC 3501 7.4.2)."""
    from_ = env.from_
    return b"(" + b" ".join((
        _ns(env.date, utf8), _ns(env.subject, utf8), _addresses(from_, utf8),
        _addresses(env.sender or from_, utf8), _addresses(env.reply_to or from_, utf8),
        _addresses(env.to, utf8), _addresses(env.cc, utf8), _addresses(env.bcc, utf8),
        _ns(env.in_reply_to, utf8), _ns(env.message_id, utf8),
    )) + b")"


def _preview(text: str | None, utf8: bool) -> bytes:
    """RFC 8970 3.1: plain text, no line breaks or controls, at most 256 characters."""
    if text is None:
        return b"NIL"  # only reached for PREVIEW (LAZY): not computed yet
    clean = "".join(" " if ch < " " or ch == "\x7f" else ch for ch in text[:PREVIEW_MAX]) if text else ""
    return fmt.nstring(clean, utf8)


class _NeedRaw(Exception):
    """A data item needs the message's bytes, which were not read with the chunk."""


def _parts(s: ImapSession, view: SelectedView, meta: FetchMeta, items: Named,
           raw: bytes | None) -> tuple[list[tuple[bytes, Value]], bool]:
    """(response name, value) of every item, without awaiting, and whether a value is a
    Stream: ``_NeedRaw`` when the message bytes are needed and ``raw`` is None (the
    caller reads them and calls again)."""

    def whole() -> bytes:
        if raw is None:
            raise _NeedRaw
        return raw

    parts: list[tuple[bytes, Value]] = []
    streams = False
    for item, name in items:
        if isinstance(item, Att):
            value = _att(s, view, meta, item.name, whole)
            streams = streams or type(value) is Stream
            parts.append((name, value))
        elif isinstance(item, BodySection):
            value = _section(meta, item, whole)
            streams = streams or type(value) is Stream
            parts.append((name, value))
        elif isinstance(item, BinarySize):
            parts.append((name, str(len(_binary(meta, item.part, whole()))).encode()))
        elif isinstance(item, Preview):
            text = meta.preview
            if text is None and not item.lazy and meta.body_json:
                # Stored without a preview (older import): RFC 8970 3.1 wants one unless LAZY.
                text = mime.preview(whole(), mime.BodyPart.from_json(meta.body_json))
            parts.append((name, _preview(text if text is not None or item.lazy else "", s.utf8)))
    return parts, streams


async def _send(s: ImapSession, view: SelectedView, seq: int, meta: FetchMeta, items: Named,
                body: bytes | None = None) -> None:
    try:
        parts, _ = _parts(s, view, meta, items, body)
    except _NeedRaw:  # the message is read at most once, and only when an item needs it
        raw = await s.ctx.runner.offload(s.ctx.store.blobs.read, meta.blob_sha)
        parts, _ = _parts(s, view, meta, items, raw)
    await _write(s, seq, parts)


def _att(s: ImapSession, view: SelectedView, meta: FetchMeta, name: str, whole: Callable[[], bytes]) -> Value:
    if name == "RFC822":
        return _section(meta, _WHOLE, whole)
    if name == "RFC822.HEADER":
        return _section(meta, _HEADER, whole)
    if name == "RFC822.TEXT":
        return _section(meta, _TEXT, whole)
    return _plain_att(s, view, meta, name)


_WHOLE, _HEADER, _TEXT = BodySection(Section()), BodySection(Section((), "HEADER")), BodySection(Section((), "TEXT"))


def _section(meta: FetchMeta, item: BodySection, whole: Callable[[], bytes]) -> Value:
    sec = item.section
    if item.binary:
        data = _binary(meta, sec.part, whole())
        return _literal(_partial(data, item.partial), binary=b"\x00" in data)
    span = _span(meta, sec)
    if span is not None and span[1] - span[0] >= STREAM_FROM:
        start, end = span
        if item.partial is not None:
            offset, length = item.partial
            start, end = min(start + offset, end), min(start + offset + length, end)
        return Stream(meta.blob_sha, start, end - start)
    if span is not None:
        data = whole()[span[0] : span[1]]
    elif not sec.part:
        # Top level HEADER.FIELDS[.NOT] (MIME needs a part number: empty, RFC 3501 6.4.5).
        offsets = _offsets(meta)
        data = b"" if offsets is None or not sec.text or not sec.text.startswith("HEADER.FIELDS") else (
            mime.header_fields(whole()[offsets[0] : offsets[1]], sec.fields, sec.text.endswith(".NOT")))
    elif not meta.body_json:
        data = b""
    else:
        body = mime.BodyPart.from_json(meta.body_json)
        data = mime.section_bytes(whole(), body, sec.part, sec.text, sec.fields)
    return _literal(_partial(data, item.partial))


def _offsets(meta: FetchMeta) -> tuple[int, int, int] | None:
    """The top-level (header_start, body_start, end), from the lean read or the full structure."""
    if meta.offsets is not None:
        return meta.offsets
    if meta.body_json:
        hs, bs, end = meta.body_json["o"]
        return hs, bs, end
    return None


def _span(meta: FetchMeta, sec: Section) -> tuple[int, int] | None:
    """Byte range of sections that are one slice of the blob at the top level."""
    if sec.part:
        return None
    if sec.text is None:
        return 0, meta.size
    if sec.text not in ("TEXT", "HEADER"):
        return None
    offsets = _offsets(meta)
    if offsets is None:
        return None
    return (offsets[1], meta.size) if sec.text == "TEXT" else (offsets[0], offsets[1])


def _binary(meta: FetchMeta, part: tuple[int, ...], raw: bytes) -> bytes:
    if not part:
        return raw  # RFC 3516 4.1: BINARY[] is the whole message, not decoded
    body = mime.BodyPart.from_json(meta.body_json) if meta.body_json else None
    target = mime.find_part(body, part) if body is not None else None
    if target is None:
        return b""
    if target.is_multipart:
        raise No("BINARY of a multipart part", codes.UNKNOWN_CTE)
    try:
        return mime.decode_part(raw, target)
    except mime.MimeError as exc:
        raise No(f"cannot decode: {exc}", codes.UNKNOWN_CTE) from exc  # RFC 3516 4.3


def _partial(data: bytes, partial: tuple[int, int] | None) -> bytes:
    if partial is None:
        return data
    offset, length = partial
    return data[offset : offset + length]  # RFC 9051 6.4.5: past the end gives ""


def _literal(data: bytes, binary: bool = False) -> bytes:
    return fmt.literal(data, binary=binary)


def _line(seq: int, parts: list[tuple[bytes, Value]]) -> bytes:
    """``* seq FETCH (...)`` of parts that hold no Stream."""
    return b"* %d FETCH (" % seq + b" ".join([name + b" " + value for name, value in parts]) + b")\r\n"  # type: ignore[operator]


async def _write(s: ImapSession, seq: int, parts: list[tuple[bytes, Value]]) -> None:
    head = f"* {seq} FETCH (".encode()
    for i, (name, value) in enumerate(parts):
        sep = b" " if i else b""
        if isinstance(value, Stream):
            s.write(head + sep + name + b" {" + str(value.length).encode() + b"}\r\n")
            head = b""
            await _stream(s, value)
        else:
            head += sep + name + b" " + value
    s.write(head + b")\r\n")
    await s.io.drain()


async def _stream(s: ImapSession, value: Stream) -> None:
    offload = s.ctx.runner.offload
    fh = await offload(s.ctx.store.blobs.open, value.sha)
    try:
        await offload(fh.seek, value.start)
        left = value.length
        while left > 0:
            data = await offload(fh.read, min(READ, left))
            if not data:
                # The blob is shorter than its row says: the client would misparse the rest.
                s.log.error("imap.blob_short", sha=value.sha)
                s.close()
                return
            s.write(data)
            left -= len(data)
            await s.io.drain()
    finally:
        await offload(fh.close)
