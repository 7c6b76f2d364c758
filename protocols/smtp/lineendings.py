"""Bare CR / LF detection for DATA content (SMTP smuggling, RFC 5321 2.3.8 and 4.1.1.4).

RFC 5321 says CR and LF must only occur together as CRLF. Receivers that accept
"\\n.\\n" or "\\n.\\r\\n" as end of data while the next hop does not let an
attacker smuggle a second message (the 2023 "SMTP smuggling" class of bugs).
Servers reject such DATA with S451_SMUGGLING / 550 rather than repair it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A "." alone on a line delimited by any mix of CR/LF other than CRLF on both sides.
_SMUGGLE = re.compile(rb"(?:\r\n|\n|\r)\.(?:\r\n|\n|\r)")
_BARE_LF = re.compile(rb"(?<!\r)\n")
_BARE_CR = re.compile(rb"\r(?!\n)")


@dataclass(frozen=True)
class LineEndingProblem:
    kind: str  # "smuggling", "bare LF" or "bare CR"
    offset: int  # index of the first offending byte in the data

    def __str__(self) -> str:
        return f"{self.kind} at offset {self.offset}"


def check_line_endings(data: bytes) -> LineEndingProblem | None:
    """First problem in ``data`` (the DATA content, before the final CRLF.CRLF), or None."""
    for match in _SMUGGLE.finditer(data):
        if match.group() != b"\r\n.\r\n":
            return LineEndingProblem("smuggling", match.start())
    if data.startswith((b".\n", b".\r")) and not data.startswith(b".\r\n"):
        return LineEndingProblem("smuggling", 0)
    lf = _BARE_LF.search(data)
    cr = _BARE_CR.search(data)
    found = [p for p in (lf and LineEndingProblem("bare LF", lf.start()),
                         cr and LineEndingProblem("bare CR", cr.start())) if p]
    if not found:
        return None
    return min(found, key=lambda p: p.offset)
