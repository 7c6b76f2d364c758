"""FETCH / UID FETCH (RFC 9051 6.4.5, 7.5.2; BINARY RFC 3516; CONDSTORE/QRESYNC RFC 7162; PREVIEW RFC 8970).

Metadata comes from the store in chunks; envelopes and body structures are the JSON
cached at ingest. Whole-message bodies (BODY[], RFC822, BODY[TEXT]) are streamed from
the blob store in 64 KiB reads with ``io.drain()`` between writes, so a 50 MB message
costs one chunk of memory per client; part sections read the message once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from postvak.protocols import mime
from postvak.protocols.imap import bodystructure, codes
from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap import requests as rq
from postvak.protocols.imap.fetch import Att, BinarySize, BodySection, FetchItem, Preview, Section, sets_seen
from postvak.servers.imap.errors import No
from postvak.store import messages
from postvak.store.types import MessageMeta

if TYPE_CHECKING:
    from postvak.servers.imap.selected import SelectedView
    from postvak.servers.imap.session import ImapSession

CHUNK = 200  # messages per store read
READ = 64 * 1024  # bytes per blob read when streaming
STREAM_FROM = 256 * 1024  # bodies at least this big are streamed, smaller ones read at once


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
    set_seen = sets_seen(tuple(items)) and not view.readonly
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
        metas = await s.ctx.runner.read(messages.fetch_meta, view.mailbox_id, chunk)
        for meta in metas:
            if req.changedsince is not None and meta.modseq <= req.changedsince:
                continue
            seq = view.seq_of(meta.uid)
            if seq is None:
                continue
            view.note_flags(meta.uid, meta.flags, meta.modseq)
            its = items if meta.uid not in seen_now or Att("FLAGS") in items else [*items, Att("FLAGS")]
            await _send(s, view, seq, meta, its)


async def _send(s: ImapSession, view: SelectedView, seq: int, meta: MessageMeta, items: list[FetchItem]) -> None:
    parts: list[tuple[str, Value]] = []
    raw: list[bytes] = []  # the message, read at most once per message

    async def whole() -> bytes:
        if not raw:
            raw.append(await s.ctx.runner.offload(s.ctx.store.blobs.read, meta.blob_sha))
        return raw[0]

    for item in items:
        name = item.response_name()
        if isinstance(item, Att):
            parts.append((name, await _att(s, view, meta, item.name, whole)))
        elif isinstance(item, BodySection):
            parts.append((name, await _section(s, meta, item, whole)))
        elif isinstance(item, BinarySize):
            data = await _binary(meta, item.part, await whole())
            parts.append((name, str(len(data)).encode()))
        elif isinstance(item, Preview):
            parts.append((name, fmt.nstring(meta.preview or "", s.utf8)))
    await _write(s, seq, parts)


async def _att(s: ImapSession, view: SelectedView, meta: MessageMeta, name: str, whole: Any) -> Value:
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
        env = mime.Envelope.from_json(meta.envelope_json) if meta.envelope_json else mime.Envelope()
        return bodystructure.envelope(env, s.utf8)
    if name in ("BODYSTRUCTURE", "BODY"):
        body = mime.BodyPart.from_json(meta.body_json) if meta.body_json else mime.BodyPart()
        return bodystructure.body(body, extensible=name == "BODYSTRUCTURE", utf8=s.utf8)
    if name == "RFC822":
        return await _section(s, meta, BodySection(Section()), whole)
    if name == "RFC822.HEADER":
        return await _section(s, meta, BodySection(Section((), "HEADER")), whole)
    if name == "RFC822.TEXT":
        return await _section(s, meta, BodySection(Section((), "TEXT")), whole)
    if name == "THREADID":
        return f"(T{meta.thread_id})".encode() if meta.thread_id else b"NIL"
    return b"NIL"  # SAVEDATE, EMAILID: not kept


async def _section(s: ImapSession, meta: MessageMeta, item: BodySection, whole: Any) -> Value:
    sec = item.section
    if item.binary:
        data = await _binary(meta, sec.part, await whole())
        return _literal(_partial(data, item.partial), binary=b"\x00" in data)
    body = mime.BodyPart.from_json(meta.body_json) if meta.body_json else None
    span = _span(meta, body, sec)
    if span is not None and span[1] - span[0] >= STREAM_FROM:
        start, end = span
        if item.partial is not None:
            offset, length = item.partial
            start, end = min(start + offset, end), min(start + offset + length, end)
        return Stream(meta.blob_sha, start, end - start)
    raw = await whole()
    if span is not None:
        data = raw[span[0] : span[1]]
    elif body is None:
        data = b""
    else:
        data = mime.section_bytes(raw, body, sec.part, sec.text, sec.fields)
    return _literal(_partial(data, item.partial))


def _span(meta: MessageMeta, body: Any, sec: Section) -> tuple[int, int] | None:
    """Byte range of sections that are one slice of the blob at the top level."""
    if sec.part:
        return None
    if sec.text is None:
        return 0, meta.size
    if sec.text == "TEXT" and body is not None:
        return body.body_start, meta.size
    return None


async def _binary(meta: MessageMeta, part: tuple[int, ...], raw: bytes) -> bytes:
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


async def _write(s: ImapSession, seq: int, parts: list[tuple[str, Value]]) -> None:
    head = f"* {seq} FETCH (".encode()
    for i, (name, value) in enumerate(parts):
        sep = b" " if i else b""
        if isinstance(value, Stream):
            s.write(head + sep + name.encode("ascii") + b" {" + str(value.length).encode() + b"}\r\n")
            head = b""
            await _stream(s, value)
        else:
            head += sep + name.encode("ascii") + b" " + value
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
