"""Keep base64 blocks out of the stdlib parser, and put them back only where text is decoded.

The stdlib feedparser walks a message line by line in Python, so a 90 KB base64
attachment costs more than everything else the spam check does with the message,
although attachments are never decoded. ``elide`` swaps every long run of base64
lines for one placeholder line before parsing; ``restore`` puts the original
lines back into a text/* part's payload before it is decoded. The parse tree is
the same as for the full message because only lines that can be neither a
header (no colon, no leading blank, RFC 5322 2.2) nor a MIME boundary (RFC 2046
5.1.1: boundary lines start with "--") are swapped, for a line that is neither
either; so every decision is the same as with the full parse.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

# Base64 lines are at most 76 chars (RFC 2045 6.8) but senders vary; 16 lines is
# about 1 KB, below which swapping saves less than it costs.
# A run starts at a line start: it is found from the line end before it, a literal the regex
# engine jumps to, where (?m)^ had it try every position of the body (220 -> ~60 us at 50 KB).
# The runs are those of (?m)^(?:...){16,}: greedy, so the line after a run is never the
# first of another, and the line end a match takes from before it is never wanted again.
_RUN_RE = re.compile(rb"\n((?:[A-Za-z0-9+/=]{16,998}\r?\n){16,})")
# message/delivery-status bodies are parsed as header blocks (RFC 3464 2.1): leave
# those messages alone rather than reason about placeholder lines inside them.
_BLOCKS_PARSED_AS_HEADERS = b"delivery-status"


@dataclass(frozen=True)
class Elided:
    """The reduced message and what was taken out of it."""

    raw: bytes
    marker: str = ""  # "" when nothing was taken out
    source: bytes = b""  # the full message
    spans: tuple[tuple[int, int], ...] = ()  # the removed lines, as offsets into source

    def restore(self, payload: str) -> str:
        """The payload with each placeholder replaced by the lines it stands for."""
        if not self.marker or self.marker not in payload:
            return payload

        def lines(match: re.Match[str]) -> str:
            start, end = self.spans[int(match.group(1))]
            # The same text the stdlib's BytesParser builds (ASCII + surrogateescape).
            return self.source[start:end].decode("ascii", "surrogateescape")

        return re.sub(re.escape(self.marker) + r"(\d+)z", lines, payload)


# The first empty line: one scan that stops there, where bytes.find of each separator
# reads a whole CRLF message for the "\n\n" it lacks (85 us at 100 KB).
_BLANK_LINE_RE = re.compile(rb"\n\r?\n")


def body_start(raw: bytes) -> int:
    """Offset after the first empty line (LF or CRLF), -1 when there is none."""
    match = _BLANK_LINE_RE.search(raw)
    return match.end() if match else -1


def elide(raw: bytes) -> Elided:
    start = body_start(raw)
    if start < 0:
        return Elided(raw)
    marker = f"postvak-elided-{secrets.token_hex(8)}-"
    pieces: list[bytes] = []
    spans: list[tuple[int, int]] = []
    done = 0
    for match in _RUN_RE.finditer(raw, start - 1):  # raw[start - 1] ends the blank line
        s, e = match.span(1)
        # The last line ending stays: the parser drops the one before a boundary (RFC 2046
        # 5.1.1 "belongs to the boundary"), and must see the same there.
        e -= 2 if raw[e - 2 : e] == b"\r\n" else 1
        pieces.append(raw[done:s])
        pieces.append(f"{marker}{len(spans)}z".encode("ascii"))
        spans.append((s, e))
        done = e
    if not spans or _BLOCKS_PARSED_AS_HEADERS in raw.lower():  # lower(): far cheaper than a (?i) regex
        return Elided(raw)
    pieces.append(raw[done:])
    return Elided(b"".join(pieces), marker, raw, tuple(spans))
