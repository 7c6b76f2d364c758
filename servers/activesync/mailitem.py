"""A stored message as an ActiveSync Email item ([MS-ASEMAIL] 2.2.2, [MS-ASAIRS] 2.2.2).

Headers come from the envelope cached at ingest (no blob read); the body, when the
client asks for one, from the blob: plain or HTML text truncated on a UTF-8
character boundary, or the whole MIME message (type 4). Dates are
"YYYY-MM-DDTHH:MM:SS.000Z" ([MS-ASDTYPE] 2.3).
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass
from typing import Any

from postvak.protocols.activesync import format_date
from postvak.protocols.activesync.cmd_sync import BodyPreference, SyncOptions
from postvak.protocols.activesync.element import E, Element, ns
from postvak.protocols.mime import (
    BodyPart,
    Envelope,
    decode_body,
    decode_header,
    decode_text,
    format_addresses,
    numbered_parts,
    parse_message,
)
from postvak.protocols.mime.errors import MimeError
from postvak.protocols.mime.text import html_to_text
from postvak.servers.activesync.ids import file_reference

EM, EM2, ASB = ns("Email"), ns("Email2"), ns("AirSyncBase")
PLAIN, HTML, RTF, MIME = 1, 2, 3, 4
FOLLOW_UP = "Flag for follow up"


@dataclass(frozen=True)
class BodyChoice:
    type: int
    truncation: int | None
    preview: int | None


def choose_body(opts: SyncOptions | None) -> BodyChoice | None:
    """Which body the client wants ([MS-ASAIRS] 2.2.2.22): MIME only with
    MIMESupport 2 (or when it is the only preference), else HTML over plain."""
    if opts is None:
        return None
    prefs = {p.type: p for p in opts.body_preferences}
    if not prefs:
        if opts.mime_support == 2:
            return BodyChoice(MIME, opts.mime_truncation and None, None)
        return None
    if MIME in prefs and (opts.mime_support == 2 or len(prefs) == 1):
        return _choice(prefs[MIME])
    for kind in (HTML, PLAIN):
        if kind in prefs:
            return _choice(prefs[kind])
    return _choice(next(iter(prefs.values())))


def _choice(p: BodyPreference) -> BodyChoice:
    return BodyChoice(p.type if p.type != RTF else PLAIN, p.truncation_size, p.preview)


def truncate_utf8(data: bytes, size: int | None) -> tuple[bytes, bool]:
    """Cut at most `size` bytes without splitting a UTF-8 character."""
    if size is None or size < 0 or len(data) <= size:
        return data, False
    cut = size
    while cut > 0 and (data[cut] & 0xC0) == 0x80:
        cut -= 1
    return data[:cut], True


def _leaf_text(raw: bytes, part: BodyPart) -> str:
    data = raw[part.body_start:part.end]
    try:
        data = decode_body(data, part.encoding)
    except MimeError:
        pass
    return decode_text(data, part.charset)


def body_texts(raw: bytes, body: BodyPart) -> tuple[str | None, str | None]:
    """(plain, html) of the first readable alternative, attachments skipped."""
    plain = html = None
    for part in body.walk():
        if part.is_multipart or part.type != "text" or part.subtype not in ("plain", "html"):
            continue
        if part.disposition and part.disposition[0] == "attachment":
            continue
        if part.subtype == "plain" and plain is None:
            plain = _leaf_text(raw, part)
        elif part.subtype == "html" and html is None:
            html = _leaf_text(raw, part)
        if part.is_message:
            break
    return plain, html


def body_element(raw: bytes, choice: BodyChoice, preview: str | None) -> Element:
    if choice.type == MIME:
        data, truncated = truncate_utf8(raw, choice.truncation)
        # 8-bit non-UTF-8 MIME travels as opaque bytes, and so does MIME holding NUL, which
        # an inline string cannot (it ends at NUL): the client gets the message unchanged.
        text: str | None = None
        blob: bytes | None = data
        if b"\x00" not in data:
            try:
                text, blob = data.decode("utf-8"), None
            except UnicodeDecodeError:
                pass  # not UTF-8: it stays the opaque blob
        return ASB("Body", ASB("Type", text=MIME), ASB("EstimatedDataSize", text=len(raw)),
                   ASB("Truncated", text=1) if truncated else None,
                   ASB("Data", text=text, opaque=blob) if (text or blob) else None)
    parsed = parse_message(raw)
    plain, html = body_texts(raw, parsed.body)
    kind = choice.type
    if kind == HTML and html is None:
        kind = PLAIN
    content = html if kind == HTML else (plain if plain is not None else html_to_text(html or ""))
    full = (content or "").encode("utf-8")
    data, truncated = truncate_utf8(full, choice.truncation)
    text = data.decode("utf-8")
    want_preview = preview[: choice.preview] if (choice.preview and preview) else None
    return ASB("Body", ASB("Type", text=kind), ASB("EstimatedDataSize", text=len(full)),
               ASB("Truncated", text=1) if truncated else None,
               ASB("Data", text=text) if text or not truncated else None,
               ASB("Preview", text=want_preview) if want_preview else None)


def _addresses(addrs: Any) -> str:
    decoded = []
    for a in addrs:
        decoded.append(type(a)(decode_header(a.name) if a.name else a.name, a.adl, a.mailbox, a.host))
    return format_addresses(tuple(decoded))


def _display_to(env: Envelope) -> str:
    names = [decode_header(a.name) if a.name else a.addr_spec for a in env.to if a.host is not None]
    return "; ".join(n for n in names if n)


def conversation_id(thread_id: int | None, fallback: str) -> bytes:
    return hashlib.md5(f"thread:{thread_id if thread_id is not None else fallback}".encode()).digest()


def attachments(meta: Any, body: BodyPart) -> Element | None:
    items = []
    for section, part in numbered_parts(body):
        if part.is_multipart or not part.is_attachment and not (part.disposition and part.filename
                                                                   and part.type != "text"):
            continue
        name = part.filename or f"attachment-{'.'.join(map(str, section))}"
        inline = bool(part.disposition and part.disposition[0] == "inline")
        items.append(ASB("Attachment", ASB("DisplayName", text=name),
                         ASB("FileReference", text=file_reference(meta.mailbox_id, meta.uid, section)),
                         ASB("Method", text=1), ASB("EstimatedDataSize", text=_decoded_size(part)),
                         ASB("ContentId", text=part.id.strip("<>")) if part.id else None,
                         ASB("IsInline", text=1) if inline else None))
    return ASB("Attachments", *items) if items else None


def _decoded_size(part: BodyPart) -> int:
    return part.size * 3 // 4 if part.encoding == "BASE64" else part.size


def categories(flags: frozenset[str]) -> list[str]:
    return sorted(f for f in flags if not f.startswith(("\\", "$")))


def flag_element(flags: frozenset[str]) -> Element:
    if "\\Flagged" in flags:
        return EM("Flag", EM("FlagStatus", text=2), EM("FlagType", text=FOLLOW_UP))  # Email page token 0x3A
    return E("Email:Flag")


def _importance(raw: bytes | None) -> int:
    if raw is None:
        return 1
    head = raw[:8192].lower()
    for marker, value in ((b"\nimportance: high", 2), (b"\nx-priority: 1", 2), (b"\nx-priority: 2", 2),
                          (b"\nimportance: low", 0), (b"\nx-priority: 5", 0), (b"\nx-priority: 4", 0)):
        if marker in head:
            return value
    return 1


def email_data(meta: Any, v: float, raw: bytes | None, choice: BodyChoice | None,
               tag: str = "AirSync:ApplicationData") -> Element:
    """The Email item: envelope fields, flags, attachments and (when asked) the body."""
    env = Envelope.from_json(meta.envelope_json) if meta.envelope_json else Envelope()
    body = BodyPart.from_json(meta.body_json) if meta.body_json else BodyPart()
    subject = decode_header(env.subject) if env.subject else ""
    flags = meta.flags
    cats = categories(flags)
    verb = 3 if "$Forwarded" in flags else (1 if "\\Answered" in flags else None)
    kids: list[Element | None] = [
        EM("To", text=_addresses(env.to)) if env.to else None,
        EM("Cc", text=_addresses(env.cc)) if env.cc else None,
        EM("From", text=_addresses(env.from_)) if env.from_ else None,
        EM("Subject", text=subject),
        EM("ReplyTo", text=_addresses(env.reply_to)) if env.reply_to and env.reply_to != env.from_ else None,
        EM("DateReceived", text=format_date(meta.internal_date.replace(microsecond=0))),  # mail: ".000Z"
        EM("DisplayTo", text=_display_to(env)),
        EM("ThreadTopic", text=subject),
        EM("Importance", text=_importance(raw)),
        EM("Read", text=int("\\Seen" in flags)),
        attachments(meta, body),
        body_element(raw, choice, meta.preview) if (raw is not None and choice is not None) else None,
        EM("MessageClass", text="IPM.Note"),
        EM("InternetCPID", text=65001),
        flag_element(flags),
        EM("ContentClass", text="urn:content-classes:message"),
        ASB("NativeBodyType", text=HTML if body_has_html(body) else PLAIN),
    ]
    if v >= 14.0:
        kids += [
            EM2("ConversationId", opaque=conversation_id(meta.thread_id, f"{meta.mailbox_id}:{meta.uid}")),
            EM2("ConversationIndex", opaque=struct.pack(">Q", int(meta.internal_date.timestamp()))[3:]),
            EM2("LastVerbExecuted", text=verb) if verb is not None else None,
        ]
    kids.append(EM("Categories", *[EM("Category", text=c) for c in cats]) if cats else None)
    return inline_safe(E(tag, *kids))


# A WBXML inline string ends at NUL and is UTF-8 ([MS-ASWBXML] 2.1.2.2, STR_I): NUL and
# lone surrogates (undecodable bytes) cannot be sent as text.
_NOT_INLINE = re.compile("[\x00\ud800-\udfff]")


def _inline_ok(text: str) -> bool:
    # C-speed checks first: a 20 KB ASCII body costs 0.1 us instead of a 70 us regex scan.
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def inline_safe(el: Element) -> Element:
    """``el`` with NUL and lone surrogates in its texts replaced by U+FFFD. Mail may hold
    them (any octet passes 8BITMIME, a header may carry a NUL), and one such message made
    the encoder fail every Sync of its folder with 500."""
    text = el.text
    if text is not None:
        if _inline_ok(text):
            return el
        return Element(el.tag, (), _NOT_INLINE.sub("\ufffd", text))
    if not el.children:
        return el
    kids = tuple(inline_safe(c) for c in el.children)
    if all(a is b for a, b in zip(kids, el.children, strict=True)):
        return el
    return Element(el.tag, kids)


def body_has_html(body: BodyPart) -> bool:
    return any(p.type == "text" and p.subtype == "html" for p in body.walk())


def changes_data(meta: Any, v: float) -> Element:
    """A server Change: only what can change on a stored message (flags, categories)."""
    cats = categories(meta.flags)
    verb = 3 if "$Forwarded" in meta.flags else (1 if "\\Answered" in meta.flags else None)
    return E("AirSync:ApplicationData", EM("Read", text=int("\\Seen" in meta.flags)), flag_element(meta.flags),
             EM2("LastVerbExecuted", text=verb) if (verb is not None and v >= 14.0) else None,
             EM("Categories", *[EM("Category", text=c) for c in cats]) if cats else E("Email:Categories"))


def client_flag_changes(data: Element | None) -> tuple[set[str], set[str], list[str] | None]:
    """(flags to add, flags to remove, categories to set or None) from a client Change."""
    add: set[str] = set()
    remove: set[str] = set()
    cats = None
    if data is None:
        return add, remove, cats
    read = data.find("Email:Read")
    if read is not None:
        (add if read.value.strip() == "1" else remove).add("\\Seen")
    flag = data.find("Email:Flag")
    if flag is not None:
        status = flag.findtext("Email:FlagStatus") or flag.findtext("Email:Status")
        (add if status == "2" else remove).add("\\Flagged")
    cat_el = data.find("Email:Categories")
    if cat_el is not None:
        cats = [c.value for c in cat_el.findall("Email:Category") if c.value.strip()]
    return add, remove, cats


async def read_raw(ctx: Any, sha: str) -> bytes:
    def job() -> bytes:
        with ctx.store.blobs.open(sha) as fh:
            return fh.read()

    return await ctx.runner.offload(job)
