"""Turn raw message bytes into the plain facts the tokenizer and the rules look at.

Spam is often malformed on purpose, so nothing here raises: undecodable parts,
unknown charsets and broken encodings degrade to best-effort text.
"""

from __future__ import annotations

import email
import email.header
import email.message
import email.parser
import email.policy
import email.utils
import functools
import html
import re
from dataclasses import dataclass
from typing import Any

from .elide import Elided, body_start, elide

# Only the start of a huge body carries signal; scanning megabytes of base64
# attachments or text would let one message stall delivery. Per text part, as
# SpamAssassin's body_part_scan_size (50,000); the total allows a text and an
# HTML alternative of that size.
MAX_PART_CHARS = 50_000
MAX_TEXT_CHARS = 2 * MAX_PART_CHARS
MAX_PARTS = 100

# Same matches as (?i)\b((?:https?|ftp)://[^...]+|www\.[^...]+), written to start with a class
# of the first letters (no (?i) there, \b as a lookbehind) so the regex engine skips ahead to
# them instead of trying every position: 3x faster on 50,000 chars, and it runs twice per text.
URL_RE = re.compile(r"""([HhFfWw](?<!\w.)(?i:(?<=[Hh])ttps?://|(?<=[Ff])tp://|(?<=[Ww])ww\.)[^\s"'<>()\[\]{}]+)""")


def may_hold_url(text: str) -> bool:
    """False only when URL_RE cannot match: a substring test is far cheaper than the regex on 100 KB."""
    return "://" in text or "www." in text.lower()


# Where a URL_RE match can start in ASCII text: 3, 4 or 5 characters before "://" (ftp, http,
# https) and at "www.", in any case. Literals the engine jumps to, where URL_RE's first-letter
# class is tested at every character (50,000 chars: ~380 us for the class, ~45 us from here).
_SCHEME_END = re.compile("://")
_WWW = re.compile(r"www\.")
_SCHEME_END_BYTES = re.compile(b"://")
_WWW_BYTES = re.compile(rb"www\.")
# Past this many candidates (some 200 URLs) trying each costs more than the class scan.
MAX_URL_CANDIDATES = 600


def _url_matches(text: str) -> list[re.Match[str]]:
    """URL_RE.finditer(text), found from the places a match can start when there are few."""
    # The candidates are looked for in a lower-case copy with the offsets of text: text
    # itself lowered when it is ASCII, else its ASCII encoding with each other character
    # one "?" (no non-ASCII character is part of "://" or "www."; U+017F, the long s that
    # URL_RE's "https" admits, is one character as "s" is): 50,000 chars with a few accents
    # went through the class scan (~0.4 ms) before.
    scheme_end: re.Pattern[Any]
    www: re.Pattern[Any]
    if text.isascii():
        lowered: Any = text.lower()
        scheme_end, www = _SCHEME_END, _WWW
    else:
        lowered = text.encode("ascii", "replace").lower()
        scheme_end, www = _SCHEME_END_BYTES, _WWW_BYTES
    starts: set[int] = set()
    for found in scheme_end.finditer(lowered):
        at = found.start()
        starts.update((at - 5, at - 4, at - 3))
        if len(starts) > MAX_URL_CANDIDATES:
            break
    else:
        starts.update(found.start() for found in www.finditer(lowered))
    if len(starts) <= MAX_URL_CANDIDATES:
        # The leftmost match at or after the last one's end, as finditer goes on.
        matches: list[re.Match[str]] = []
        end = 0
        for start in sorted(starts):
            if start >= end and (match := URL_RE.match(text, start)):
                matches.append(match)
                end = match.end()
        return matches
    return list(URL_RE.finditer(text)) if may_hold_url(text) else []


def find_urls(text: str) -> list[str]:
    return [match.group() for match in _url_matches(text)]


def strip_urls(text: str) -> str:
    matches = _url_matches(text)
    if not matches:
        return text
    pieces = []
    done = 0
    for match in matches:
        pieces.append(text[done : match.start()])
        done = match.end()
    pieces.append(text[done:])
    return " ".join(pieces)
_SCRIPT_RE = re.compile(r"(?is)<(script|style)\b.*?</\1\s*>")
_COMMENT_RE = re.compile(r"(?s)<!--.*?-->")
_ANCHOR_RE = re.compile(r"""(?is)<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.*?)</a\s*>""")
_SRC_RE = re.compile(r"""(?is)<(?:img|iframe|form|area)\b[^>]*?\b(?:src|action|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_TAG_RE = re.compile(r"(?s)<[^>]*>")
_BLOCK_TAG_RE = re.compile(r"(?i)<\s*(?:br|p|div|tr|li|h[1-6]|table)\b[^>]*>")
_WS_RE = re.compile(r"[ \t\r\f\v]+")
_HTML_SNIFF_RE = re.compile(r"(?i)<\s*(?:html|body|table|font|a\s+href|br|p|div|img)\b")


_OPEN_TAG_RE = re.compile(r"(?s)<([a-zA-Z][a-zA-Z0-9]{0,9})\b([^>]{0,500})>")
_ATTR_NAME_RE = re.compile(r"([a-zA-Z-]{1,20})\s*=")
_STYLE_RE = re.compile(r"""(?i)style\s*=\s*["']([^"']{0,300})""")
MAX_MARKS = 400


def html_marks(markup: str) -> list[str]:
    """Tag names, tag+attribute names and style properties, each once, in first-seen order."""
    seen: dict[str, None] = {}
    seen[f"comments:{min(len(_COMMENT_RE.findall(markup[:100_000])), 9)}"] = None
    done: set[str] = set()
    for match in _OPEN_TAG_RE.finditer(markup[:100_000]):
        # Markup repeats its tags (<td>, <br>, <font size=2>): a tag seen before adds no mark.
        whole = match.group()
        if whole in done:
            continue
        done.add(whole)
        tag = match.group(1).lower()
        seen.setdefault("tag:" + tag, None)
        attrs = match.group(2)
        for name in _ATTR_NAME_RE.findall(attrs):
            seen.setdefault(f"attr:{tag}.{name.lower()}", None)
        style = _STYLE_RE.search(attrs)
        if style:
            for decl in style.group(1).split(";"):
                prop = decl.partition(":")[0].strip().lower()
                if prop:
                    seen.setdefault("style:" + prop[:20], None)
        if len(seen) >= MAX_MARKS:
            break
    return list(seen)


@dataclass(frozen=True)
class Link:
    """An HTML anchor: where it goes and the text the reader sees."""

    href: str
    text: str


@dataclass(frozen=True)
class ParsedMessage:
    headers: tuple[tuple[str, str], ...]  # (lower-case name, RFC 2047-decoded value), in order
    text: str  # text/plain parts, decoded
    html_text: str  # visible text of text/html parts
    has_plain: bool
    has_html: bool
    links: tuple[Link, ...]
    urls: tuple[str, ...]  # every URL seen in text, HTML hrefs and sources
    content_types: tuple[str, ...]
    charsets: tuple[str, ...]
    filenames: tuple[str, ...]
    body_bytes: bytes  # the raw body after the header block, capped, for GTUBE-style scans
    # How the HTML is written (tag and attribute names, style properties, comment count): bulk
    # tools have habits that outlive the words they send.
    html_marks: tuple[str, ...] = ()
    # Content-Transfer-Encoding of each leaf part, in walk order.
    encodings: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def header_all(self, name: str) -> tuple[str, ...]:
        name = name.lower()
        return tuple(value for key, value in self.headers if key == name)

    @property
    def all_text(self) -> str:
        return self.text + "\n" + self.html_text if self.html_text else self.text


def decode_header_value(value: str) -> str:
    """RFC 2047 encoded-words to Unicode; garbage stays as it was."""
    if "=?" not in value:
        return value
    try:
        parts = email.header.decode_header(value)
    except Exception:
        return value
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(_decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    return "".join(out)


def _decode_bytes(data: bytes, charset: str | None, *, cut: bool = False) -> str:
    """`cut`: data is the start of a longer payload, so a multi-byte character split at its end is dropped."""
    for candidate in (charset, "utf-8", "latin-1"):
        if not candidate:
            continue
        name = candidate.strip().strip('"').lower()
        try:
            return data.decode(name, errors="strict")
        except UnicodeDecodeError as exc:
            if cut and exc.start >= len(data) - 4:
                try:
                    return data[: exc.start].decode(name, errors="strict")
                except UnicodeDecodeError:
                    continue
        except LookupError:
            continue
    return data.decode("latin-1", errors="replace")


def _unfold(value: str) -> str:
    return _WS_RE.sub(" ", value.replace("\r\n", " ").replace("\n", " ")).strip()


def _attr(groups: tuple[str | None, ...]) -> str:
    return html.unescape(next((g for g in groups if g is not None), "")).strip()


def html_to_text(markup: str) -> tuple[str, tuple[Link, ...], tuple[str, ...]]:
    """Visible text, anchors and referenced URLs of an HTML part (regex based: fast and never fails)."""
    markup = _COMMENT_RE.sub(" ", _SCRIPT_RE.sub(" ", markup))
    links = []
    made: dict[str, Link] = {}  # bulk mail repeats its anchors: each distinct one is built once
    for match in _ANCHOR_RE.finditer(markup):
        link = made.get(whole := match.group())
        if link is None:
            anchor_text = html.unescape(_TAG_RE.sub(" ", match.group(4)))
            link = made[whole] = Link(_attr(match.groups()[:3]), _unfold(anchor_text))
        links.append(link)
    sources = tuple(_attr(m.groups()) for m in _SRC_RE.finditer(markup))
    text = _TAG_RE.sub(" ", _BLOCK_TAG_RE.sub("\n", markup))
    return html.unescape(text), tuple(links), sources


def _split_header_block(raw: bytes) -> bytes:
    for sep in (b"\r\n\r\n", b"\n\n"):
        index = raw.find(sep)
        if index >= 0:
            return raw[index + len(sep) : index + len(sep) + MAX_TEXT_CHARS]
    return b""


def parse(raw: bytes) -> ParsedMessage:
    if raw.startswith(b"From "):  # an mbox separator line is not a header
        raw = raw.split(b"\n", 1)[1] if b"\n" in raw else b""
    body_bytes = _split_header_block(raw)
    # A long single-part body is only read up to MAX_PART_CHARS, so the parser (a Python
    # loop over lines) need not see the rest; _parse says when the prefix will not do.
    start = body_start(raw)
    if start >= 0 and not _SPLIT_OR_DECODED.search(raw, 0, start):
        end = start + _PREFIX_BODY
        if _QUOTED_PRINTABLE.search(raw, 0, start):
            # Quoted-printable decodes to fewer bytes: a longer prefix, ending at a line end,
            # where decoding stops between two escapes and so gives a prefix of the whole's.
            end = raw.rfind(b"\n", start, start + _QP_PREFIX_BODY) + 1 if len(raw) - start > _QP_PREFIX_BODY else 0
        if start < end < len(raw):
            parsed = _parse(raw[:end], elided=True, body_bytes=body_bytes, whole=False)
            if parsed is not None:
                return parsed
    return _parse(raw, elided=True, body_bytes=body_bytes, whole=True)  # type: ignore[return-value]


# Content-Transfer-Encodings get_payload(decode=True) decodes (but quoted-printable, which a
# prefix parse handles); any other gives the body bytes as they are.
_DECODED_CTES = frozenset(("base64", "x-uuencode", "uuencode", "uue", "x-uue"))
# Body bytes a prefix parse keeps: more than a part's cut, so the decoded payload is still
# longer than MAX_PART_CHARS (and so cut at the same place) exactly when the whole one is.
_PREFIX_BODY = MAX_PART_CHARS + 1024
# Quoted-printable text is mostly plain: a quarter more covers its escapes, and a prefix that
# decodes to too little is found out after the decoding (and the whole is parsed then).
_QP_PREFIX_BODY = MAX_PART_CHARS * 5 // 4 + 1024
# What in a header block may rule the prefix out (checked exactly after the parse): looked
# for first, so that a multipart message is not parsed twice.
_SPLIT_OR_DECODED = re.compile(rb"(?i)multipart|message/|base64|uu")
_QUOTED_PRINTABLE = re.compile(rb"(?i)quoted-printable")


_HEADER_PARSER = email.parser.BytesParser(policy=email.policy.compat32)


def _message_from_bytes(raw: bytes) -> email.message.Message:
    """email.message_from_bytes(raw) under compat32. A single-part message's body is its
    payload as it is, which the parser builds by a Python step per line (0.46 ms of a
    100 KB message's 52 KB prefix): its header block is parsed alone and the body set as the
    parser would set it. Any sign that the parser would read the bytes otherwise (a defect,
    a header block not ending at the first empty line, a multipart or message type) takes
    the full parse."""
    start = body_start(raw)
    if start > 0:
        msg = _HEADER_PARSER.parsebytes(raw[:start], headersonly=True)
        if not msg.defects and msg.get_payload() == "" and msg.get_content_maintype() not in ("multipart", "message"):
            msg.set_payload(raw[start:].decode("ascii", "surrogateescape"))
            return msg
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def _parse(raw: bytes, *, elided: bool, body_bytes: bytes | None = None, whole: bool = True) -> ParsedMessage | None:
    """`whole` False: raw is a message's first bytes; None when its parse could differ from the whole's."""
    # Attachments are never decoded, so their base64 need not go through the parser.
    reduced = elide(raw) if elided else Elided(raw)
    msg = _message_from_bytes(reduced.raw)
    # The header block is whole in the prefix, so the tree is the same (one leaf) unless the
    # Content-Type makes the parser split the body; an identity-encoded or quoted-printable
    # leaf's payload is then a prefix of the whole's, of which only MAX_PART_CHARS bytes are used.
    if not whole and (msg.get_content_maintype() in ("multipart", "message")
                      or str(msg.get("content-transfer-encoding", "")).lower() in _DECODED_CTES):
        return None
    headers = []
    for name, value in msg.items():
        if not isinstance(value, str):
            value = str(value)
        headers.append((name.lower(), _unfold(decode_header_value(value))))

    texts: list[str] = []
    htmls: list[str] = []
    links: list[Link] = []
    urls: list[str] = []
    ctypes: list[str] = []
    charsets: list[str] = []
    filenames: list[str] = []
    marks: list[str] = []
    encodings: list[str] = []
    size = 0
    for count, part in enumerate(msg.walk()):
        if count >= MAX_PARTS:
            break
        ctype = part.get_content_type()
        ctypes.append(ctype)
        charset = part.get_content_charset()
        if charset:
            charsets.append(charset.lower())
        try:
            filename = part.get_filename()
        except Exception:
            filename = None
        if filename:
            filenames.append(decode_header_value(str(filename)))
        if not part.is_multipart():
            encodings.append(str(part.get("content-transfer-encoding", "none")).strip().lower()[:20])
        if part.is_multipart() or not ctype.startswith("text/") or size >= MAX_TEXT_CHARS:
            continue
        if reduced.marker:
            undecoded = part.get_payload()
            if isinstance(undecoded, str) and reduced.marker in undecoded:
                # get_payload() gives the parsed text itself only when it is all ASCII; 8-bit
                # text around a placeholder is rare, so parse the whole message then.
                if not undecoded.isascii():
                    return _parse(raw, elided=False, body_bytes=body_bytes, whole=whole)
                part.set_payload(reduced.restore(undecoded))
        try:
            payload = part.get_payload(decode=True)
        except Exception:
            payload = None
        if not whole and (not isinstance(payload, bytes) or len(payload) <= MAX_PART_CHARS):
            return None  # a prefix whose decoded payload could be cut elsewhere than the whole's
        if not isinstance(payload, bytes):
            continue
        body = _decode_bytes(payload[:MAX_PART_CHARS], charset, cut=len(payload) > MAX_PART_CHARS)
        size += len(body)
        # Bulk senders often send HTML with no or the wrong Content-Type; what the
        # reader's client renders is what counts.
        if ctype == "text/html" or (ctype == "text/plain" and len(_HTML_SNIFF_RE.findall(body[:20_000])) >= 3):
            marks.extend(html_marks(body))
            visible, anchors, sources = html_to_text(body)
            htmls.append(visible)
            links.extend(anchors)
            urls.extend(a.href for a in anchors)
            urls.extend(sources)
            urls.extend(find_urls(visible))
        else:
            texts.append(body)
            urls.extend(find_urls(body))
    return ParsedMessage(
        headers=tuple(headers),
        text="\n".join(texts),
        html_text="\n".join(htmls),
        has_plain=bool(texts),
        has_html=bool(htmls),
        links=tuple(links),
        urls=tuple(u for u in urls if u),
        content_types=tuple(ctypes),
        charsets=tuple(charsets),
        filenames=tuple(filenames),
        body_bytes=_split_header_block(raw) if body_bytes is None else body_bytes,
        html_marks=tuple(dict.fromkeys(marks)),
        encodings=tuple(encodings),
    )


def addresses(value: str | None) -> list[tuple[str, str]]:
    """(display name, lower-case address) pairs of an address header."""
    if not value:
        return []
    return list(_addresses(value))


# The tokenizer and several rules each read From and To: parse each value once.
@functools.lru_cache(maxsize=4096)
def _addresses(value: str) -> tuple[tuple[str, str], ...]:
    try:
        return tuple((name, addr.lower()) for name, addr in email.utils.getaddresses([value]) if addr or name)
    except Exception:
        return ()


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower() if "@" in address else ""
