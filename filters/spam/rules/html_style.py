"""HTML written to hide or to dazzle: tiny or white text, images with little text, forms and scripts,
text spelled in character entities or split by comments (SpamAssassin's HTML_* rules).

Reads the raw body (quoted-printable's "=3D" undone) rather than the visible text,
because the tricks live in the markup.
"""

from __future__ import annotations

import re

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

MAX_BYTES = 100_000
MANY_IMAGES = 3
FEW_WORDS = 200
VERY_FEW_WORDS = 50
MANY_ENTITIES = 20
# Each pattern starts with a literal the regex engine jumps to (an alternation or a leading
# class has it try every position): the tiny font's two forms are searched apart, and a
# comment inside a word is found from its "<!--" with the letter before it as a lookbehind;
# both find a match exactly when <font[^>]*size..|font-size.. and [a-z]<!--..-->[a-z] did.
_TINY_FONT_TAG = re.compile(rb"<font[^>]*size\s*=\s*[\"']?[-+]?[01]\b")
_TINY_FONT_STYLE = re.compile(rb"font-size\s*:\s*[0-6]px")
_WHITE = re.compile(rb"color\s*=\s*[\"']?#?(?:fff(?:fff)?|white)\b")
_ENTITY = re.compile(rb"&#\d{2,3};")
_COMMENT_IN_WORD = re.compile(rb"<!--(?<=[a-z]<!--)[^>]{0,100}-->[a-z]")


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    if not msg.has_html:
        return []
    body = msg.body_bytes[:MAX_BYTES].lower().replace(b"=3d", b"=")
    found = []
    if _TINY_FONT_TAG.search(body) or _TINY_FONT_STYLE.search(body):
        found.append(("HTML_TINY_FONT", "text in a tiny font"))
    if _WHITE.search(body):
        found.append(("HTML_WHITE_FONT", "white colour in the markup"))
    images = body.count(b"<img")
    words = len(msg.html_text.split())
    if images >= MANY_IMAGES and words < FEW_WORDS:
        found.append(("HTML_IMAGES_LITTLE_TEXT", f"{images} images, {words} words"))
    elif images and words < VERY_FEW_WORDS:
        found.append(("HTML_IMAGE_ONLY", f"an image and {words} words"))
    if b"<form" in body:
        found.append(("HTML_FORM", "a form"))
    if b"<script" in body:
        found.append(("HTML_SCRIPT", "a script"))
    if len(_ENTITY.findall(body)) > MANY_ENTITIES:
        found.append(("HTML_ENTITY_OBFUS", "text spelled in numeric character entities"))
    if b"<!--" in body and _COMMENT_IN_WORD.search(body):
        found.append(("HTML_COMMENT_IN_WORD", "a comment splitting a word"))
    if b"<table" in body and b"bgcolor" in body:
        found.append(("HTML_BGCOLOR_TABLE", "coloured table layout"))
    return [Hit(name, settings.points(name, 0.0), why) for name, why in found]
