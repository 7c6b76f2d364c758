"""Per-user allow and block lists: full addresses or whole domains written "@example.com"."""

from __future__ import annotations

from dataclasses import dataclass

from .message import ParsedMessage, addresses, domain_of
from .types import SpamContext


@dataclass(frozen=True)
class ListMatch:
    entry: str
    exact: bool  # a full address matched (beats a domain entry on the other list)


def senders(msg: ParsedMessage, ctx: SpamContext) -> list[str]:
    """The sender addresses a user would recognise: the envelope sender and the From addresses."""
    found = []
    if ctx.envelope_from:
        found.append(ctx.envelope_from.strip().strip("<>").lower())
    found.extend(addr for _name, addr in addresses(msg.header("from")) if addr)
    return [a for a in found if "@" in a]


def match(entries: tuple[str, ...], candidates: list[str]) -> ListMatch | None:
    best: ListMatch | None = None
    for raw in entries:
        entry = raw.strip().lower()
        if not entry:
            continue
        for addr in candidates:
            if entry.startswith("@"):
                if domain_of(addr) == entry[1:] and best is None:
                    best = ListMatch(raw, False)
            elif addr == entry:
                return ListMatch(raw, True)
    return best


def decide(msg: ParsedMessage, ctx: SpamContext) -> tuple[bool | None, str | None]:
    """(True: block => spam, False: allow => ham, None: no say) and the reason.

    An allow entry is ignored when the sender failed authentication: a forged From
    must not walk past the filter because it names a friend.
    """
    candidates = senders(msg, ctx)
    if not candidates:
        return None, None
    blocked = match(ctx.block, candidates)
    allowed = match(ctx.allow, candidates)
    forged = (ctx.dmarc or "").lower() == "fail" or (ctx.spf or "").lower() == "fail"
    if allowed and forged:
        allowed = None
    if blocked and allowed:
        # The more specific entry wins; on a tie, block (the user asked to never see it).
        if allowed.exact and not blocked.exact:
            return False, f"ALLOWLIST({allowed.entry})"
        return True, f"BLOCKLIST({blocked.entry})"
    if blocked:
        return True, f"BLOCKLIST({blocked.entry})"
    if allowed:
        return False, f"ALLOWLIST({allowed.entry})"
    return None, None
