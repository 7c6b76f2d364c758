"""IDLE (RFC 2177, RFC 9051 6.3.13): changes committed by any session or process wake it.

An idle session waits on one future (DONE) and one wake-up future with its timer
(``ImapSession.wait_for_changes``), inside the session's own worker task: no task of
its own, since a server holds thousands of sessions in IDLE (issue #3).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from postvak.protocols.imap import Done
from postvak.protocols.imap import formatter as fmt
from postvak.servers.imap.errors import Bad, Bye

if TYPE_CHECKING:
    from postvak.servers.imap.session import ImapSession

KEEPALIVE = 600.0  # seconds between "* OK Still here" so NAT boxes keep the connection


async def idle(s: ImapSession, tag: str, req: Any) -> None:
    s.receiver.expect_done()
    s.write(fmt.continuation("idling"))
    # armed before the first await: a DONE that comes while we sync is kept for us
    done = s.line_future()
    await s.sync()
    timeout = float(getattr(getattr(s.ctx.settings, "imap", None), "idle_timeout", 1800) or 1800)
    deadline = time.monotonic() + timeout
    try:
        while not done.done():
            changed = await s.wait_for_changes(min(KEEPALIVE, max(0.0, deadline - time.monotonic())), done)
            if s.closed:
                return
            if done.done():
                break
            if time.monotonic() >= deadline:
                raise Bye("idle timeout")  # RFC 9051 5.4: autologout after the inactivity timer
            if changed:
                await s.sync()
            else:
                s.write(fmt.untagged("OK", "still here"))
    finally:
        if not done.done():
            done.cancel()
    if done.cancelled():
        return  # the connection went away
    event = done.result()
    if not isinstance(event, Done):
        raise Bad("expected DONE")
    return None
