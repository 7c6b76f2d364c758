"""Dot-stuffing for POP3 multi-line responses (RFC 1939 3), streaming.

``DotStuffer`` takes message bytes in chunks of any size (straight from the
blob store) and yields wire bytes: every line starting with "." gets one more
".", bare LF becomes CRLF, CRLF stays, and ``finish()`` closes with ".\\r\\n"
(adding a CRLF first if the message did not end with one). A lone CR is left
alone: it does not end a line for the client, so it cannot forge a terminator.
"""

from __future__ import annotations

from collections.abc import Iterable


class DotStuffer:
    def __init__(self) -> None:
        self._at_line_start = True  # the next byte begins a line
        self._prev_cr = False  # the last byte emitted was a CR (pairs with a LF in the next chunk)
        self._finished = False

    def feed(self, chunk: bytes) -> bytes:
        if self._finished:
            raise RuntimeError("DotStuffer already finished")
        if not chunk:
            return b""
        head = b""
        if chunk[0] == 0x0A and self._prev_cr:
            # The CR went out with the last chunk: this LF completes that CRLF.
            head, chunk = b"\n", chunk[1:]
            self._at_line_start, self._prev_cr = True, False
            if not chunk:
                return head
        # Whole-chunk byte operations in C instead of a loop per line (this runs for
        # every byte POP3 sends). Bare LF -> CRLF only when there is one: most stored
        # mail is CRLF already. Folding CRLF to LF first keeps lone CRs untouched.
        body = chunk
        if body.count(b"\n") != body.count(b"\r\n"):
            body = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        # RFC 1939 3: a line starting with "." gets one more.
        body = body.replace(b"\n.", b"\n..")
        if self._at_line_start and body[0] == 0x2E:
            head += b"."
        last = chunk[-1]
        self._at_line_start = last == 0x0A
        self._prev_cr = last == 0x0D
        return head + body if head else body

    def finish(self) -> bytes:
        if self._finished:
            raise RuntimeError("DotStuffer already finished")
        self._finished = True
        if self._at_line_start:
            return b".\r\n"
        if self._prev_cr:
            return b"\n.\r\n"
        return b"\r\n.\r\n"


def stuff(message: bytes) -> bytes:
    """Whole-message convenience: the stuffed body plus terminator."""
    stuffer = DotStuffer()
    return stuffer.feed(message) + stuffer.finish()


def stuff_lines(lines: Iterable[bytes]) -> bytes:
    """Lines without line endings -> stuffed multi-line body and terminator."""
    out = bytearray()
    for line in lines:
        if line.startswith(b"."):
            out += b"."
        out += line + b"\r\n"
    return bytes(out) + b".\r\n"


class UnstuffError(ValueError):
    pass


def unstuff(wire: bytes) -> bytes:
    """Inverse for a complete multi-line body (used by the POP3 fetcher and tests).

    ``wire`` is everything after the status line up to and including ".\\r\\n".
    """
    if wire == b".\r\n":
        return b""
    if not wire.endswith(b"\r\n.\r\n"):
        raise UnstuffError("missing terminator")
    lines = wire[:-3].split(b"\r\n")
    # the split leaves "" after the final CRLF of the content
    out = [line[1:] if line.startswith(b".") else line for line in lines[:-1]]
    return b"\r\n".join(out) + b"\r\n"


def top_lines(raw: bytes, n: int) -> bytes:
    """RFC 1939 7 TOP: the header, the blank line and the first ``n`` body lines."""
    crlf, lf = raw.find(b"\r\n\r\n"), raw.find(b"\n\n")
    if crlf < 0 and lf < 0:
        return raw  # no blank line: everything is header
    # whichever blank line comes first wins when a file mixes line endings
    if crlf >= 0 and (lf < 0 or crlf < lf):
        head_end = crlf + 4
    else:
        head_end = lf + 2
    head, body = raw[:head_end], raw[head_end:]
    if n <= 0 or not body:
        return head
    pos = 0
    for _ in range(n):
        lf_at = body.find(b"\n", pos)
        if lf_at < 0:
            return head + body
        pos = lf_at + 1
    return head + body[:pos]
