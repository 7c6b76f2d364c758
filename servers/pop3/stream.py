"""RETR and TOP: message bytes streamed from the blob store onto the wire.

A small message arrives whole (read ahead, see readahead.py) and goes out in ONE
write: status, stuffed bytes and terminator together, so TLS makes few large records.
A large one is read off the reactor thread (``runner.offload``) in chunks; the
DotStuffer carries line state across chunk boundaries (RFC 1939 3); after each
chunk we wait for the transport's buffer to drain, so a slow client holds one
chunk in memory, not the whole message.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from postvak.protocols.pop3 import DotStuffer, ok, top_lines

CHUNK = 256 * 1024  # bytes per read and write when streaming a large message


def _open_and_read(blobs: Any, sha: str, size: int) -> tuple[BinaryIO | None, bytes]:
    """Open and read the first chunk; a message that fits is closed at once."""
    fh = blobs.open(sha)
    try:
        data = fh.read(size + 1)
    except BaseException:
        fh.close()
        raise
    if len(data) <= size:
        fh.close()
        return None, data
    return fh, data


async def send_whole(io: Any, data: bytes, *, status: str, top: int | None = None) -> None:
    """Write ``+OK status``, the dot-stuffed message (or TOP's part of it) and "." at once."""
    stuffer = DotStuffer()
    part = data if top is None else top_lines(data, top)
    io.write(b"".join((ok(status), stuffer.feed(part), stuffer.finish())))
    await io.drain()


async def send_message(io: Any, runner: Any, blobs: Any, sha: str, *, status: str, top: int | None = None) -> None:
    """Write ``+OK status``, the dot-stuffed message (or TOP's part of it) and ".".

    Raises only before the first byte is written (blob missing); once streaming
    starts, a read error is propagated and the caller must drop the connection.
    """
    fh, data = await runner.offload(_open_and_read, blobs, sha, CHUNK)
    stuffer = DotStuffer()
    try:
        if top is not None:
            await _send_top(io, runner, fh, data, stuffer, status, top)
            return
        io.write(ok(status) + stuffer.feed(data))
        while fh is not None:
            await io.drain()
            if io.closed:
                return
            data = await runner.offload(fh.read, CHUNK)
            if not data:
                break
            io.write(stuffer.feed(data))
        io.write(stuffer.finish())
    finally:
        if fh is not None:
            await runner.offload(fh.close)


async def _send_top(io: Any, runner: Any, fh: BinaryIO | None, data: bytes, stuffer: DotStuffer,
                    status: str, lines: int) -> None:
    # RFC 1939 7 TOP: header, blank line, first `lines` body lines. Read on until
    # the answer is complete (shorter than what we hold) or the message ends.
    buffer = bytearray(data)
    part = top_lines(bytes(buffer), lines)
    while fh is not None and len(part) == len(buffer):
        more = await runner.offload(fh.read, CHUNK)
        if not more:
            break
        buffer += more
        part = top_lines(bytes(buffer), lines)
    io.write(ok(status) + stuffer.feed(part) + stuffer.finish())
    await io.drain()
