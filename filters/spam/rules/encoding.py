"""How the text is encoded: base64 for plain text (hides words from simple filters), charsets of
far-away scripts, a us-ascii label on 8-bit text, MIME parts with no MIME-Version (RFC 2045 4)."""

from __future__ import annotations

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

# Charsets for scripts other than the Latin one (SpamAssassin's CHARSET_FARAWAY idea).
FAR_CHARSETS = frozenset((
    "big5", "euc-jp", "euc-kr", "gb2312", "gbk", "iso-2022-jp", "iso-8859-5", "iso-8859-9", "koi8-r",
    "ks_c_5601-1987", "shift_jis", "windows-1251", "windows-1254", "windows-1256",
))
MAX_CHARS = 50_000


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    found = []
    leaves = [c for c in msg.content_types if not c.startswith("multipart/")]
    if any(c.startswith("text/") and e == "base64" for c, e in zip(leaves, msg.encodings, strict=False)):
        found.append(("TEXT_BASE64", "text part in base64"))
    if any(c in FAR_CHARSETS for c in msg.charsets):
        found.append(("CHARSET_FARAWAY", "charset of a non-Latin script"))
    if "us-ascii" in msg.charsets and not msg.all_text[:MAX_CHARS].isascii():
        found.append(("CHARSET_MISMATCH", "8-bit text labelled us-ascii"))
    if msg.header("mime-version") is None and (msg.has_html or len(msg.content_types) > 1):
        found.append(("MIME_NO_VERSION", "MIME parts without MIME-Version"))
    return [Hit(name, settings.points(name, 0.0), why) for name, why in found]
