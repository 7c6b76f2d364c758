"""Tokens for how a message is built rather than what it says.

Words drift from one spam run to the next; the habits of the software that
sends it (header order, MIME layout, encodings, HTML style, relay path, link
shapes) change far more slowly, so these tokens carry what was learnt on older
spam over to newer spam.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice

from .message import ParsedMessage, addresses, domain_of

# Other filters' verdicts and our own delivery stamps say nothing about the sender.
_SKIP_HEADERS = ("x-spam-", "received", "delivered-to", "return-path", "x-original-to")
_MAX_SEQ = 24
_WITH_RE = re.compile(r"(?i)\bwith\s+([a-z0-9-]+)")
_PAREN_WORD_RE = re.compile(r"\(([A-Za-z][A-Za-z0-9 ._-]{1,30}?)[ )/\d]")
_HOST_RE = re.compile(r"(?i)^(?:[a-z][a-z0-9+.-]*://)?(?:[^/@?#]*@)?([^/:?#]+)")
_MONEY_RE = re.compile(r"[$\u20ac\u00a3]\s?\d")
# Starts with a single digit class so the regex engine can skip ahead to digits (a leading \b,
# an optional prefix or even \d{3} made it try every position): same count, 200 -> ~20 us on
# 20,000 chars without digits.
_PHONE_RE = re.compile(r"\d\d{2}\)?[-. ]\d{3}[-. ]\d{4}\b")
_PHONE_RE_ASCII = re.compile(_PHONE_RE.pattern, re.ASCII)  # same matches on ASCII text, cheaper \d
# As many matches as \d\s?% (one per "%" it ends at), found from the "%" the engine jumps to.
_PERCENT_RE = re.compile(r"%(?:(?<=\d%)|(?<=\d\s%))")


def _bucket(n: int, cap: int = 10) -> str:
    return str(min(n, cap))


def header_layout(msg: ParsedMessage) -> Iterator[str]:
    """Neighbouring header names: each mailer writes its headers in its own order."""
    names = [n for n, _v in msg.headers if not n.startswith(_SKIP_HEADERS)][:_MAX_SEQ]
    previous = "^"
    for name in names:
        yield f"hdrseq:{previous}>{name}"
        previous = name
    yield f"hdrseq:{previous}>$"
    yield f"headers:count:{_bucket(len(msg.headers) // 4, 12)}"


_LOCAL_HOP_RE = re.compile(r"(?i)\b(?:localhost|127\.0\.0\.1|with\s+(?:pop3?|imap)|fetchmail)\b")
_BY_RE = re.compile(r"(?is)\sby\s.*")


def sender_side_received(msg: ParsedMessage) -> list[str]:
    """Received headers (RFC 5321 4.4, newest first) with our own side taken off.

    The topmost hops are added by the receiving site itself (local handoffs,
    POP3/IMAP retrieval) and are the same for every message it gets, whatever the
    sender; learning from them teaches the filter how mail was collected, not who
    sent it. Dropped: leading loopback and retrieval hops; and in the first hop
    from outside (our MX) the part from "by" on, which names our host. What is
    left is what the sender's side wrote or caused.
    """
    received = list(msg.header_all("received"))
    while received and _LOCAL_HOP_RE.search(received[0]):
        received.pop(0)
    if received:
        mx_hop = received[0]
        with_part = _WITH_RE.search(mx_hop)
        received[0] = _BY_RE.sub("", mx_hop) + (f" with {with_part.group(1)}" if with_part else "")
    return received


def relay_tokens(msg: ParsedMessage) -> Iterator[str]:
    """The shape of the sender's side of the Received path: hop count, protocols, MTA names."""
    received = sender_side_received(msg)
    yield f"received:count:{_bucket(len(received))}"
    for value in received[:8]:
        for proto in _WITH_RE.findall(value):
            yield "received:with:" + proto.lower()
        for word in _PAREN_WORD_RE.findall(value):
            yield "received:mta:" + word.strip().lower()
        if "unknown" in value.lower():
            yield "received:unknown-host"


def recipient_tokens(msg: ParsedMessage) -> Iterator[str]:
    """Whole recipient addresses: a user's own address (or a list's) is strong evidence both ways."""
    for field in ("to", "cc"):
        for value in msg.header_all(field):
            for name, addr in addresses(value)[:10]:
                yield f"{field}:full:{addr}"
                if name and "@" in name:
                    yield f"{field}:name-is-address"
                elif not name:
                    yield f"{field}:no-name"


def mime_tokens(msg: ParsedMessage) -> Iterator[str]:
    yield "mime:" + ",".join(msg.content_types[:6])
    yield f"mime:parts:{_bucket(len(msg.content_types))}"
    for enc in dict.fromkeys(msg.encodings):
        yield "cte:" + enc
    if msg.has_html and msg.has_plain:
        yield "mime:both"
    for mark in msg.html_marks:
        yield "html:" + mark
    images = sum(1 for c in msg.content_types if c.startswith("image/")) + sum(
        1 for m in msg.html_marks if m == "tag:img")
    if images and len(msg.all_text.split()) < 50:
        yield "mime:mostly-image"


def link_tokens(msg: ParsedMessage) -> Iterator[str]:
    hosts: dict[str, None] = {}
    for url in msg.urls[:100]:
        match = _HOST_RE.match(url.strip().lower())
        if match:
            hosts.setdefault(match.group(1).rstrip("."), None)
    yield f"url:count:{_bucket(len(msg.urls))}"
    yield f"url:hosts:{_bucket(len(hosts))}"
    for host in list(hosts)[:20]:
        labels = host.split(".")
        yield "url:tld:" + labels[-1][:10]
        yield f"url:depth:{_bucket(len(labels), 6)}"
        if any(ch.isdigit() for ch in labels[0]):
            yield "url:digit-label"
        if "-" in host:
            yield "url:hyphen-host"
    senders = {domain_of(a) for _n, a in addresses(msg.header("from"))}
    if hosts and senders and not any(h.endswith(s) for h in hosts for s in senders if s):
        yield "url:foreign-to-sender"


def subject_tokens(msg: ParsedMessage) -> Iterator[str]:
    subject = msg.header("subject") or ""
    for word in subject.lower().split():
        word = word.strip("\"'`.,;:!?()[]{}<>*_-=+|~^#")
        if 2 <= len(word) <= 20:
            yield "subj:" + word
    yield f"subject:len:{_bucket(len(subject) // 10)}"
    if any(ch.isdigit() for ch in subject):
        yield "subject:has-digit"
    if re.search(r"\s{3,}", subject):
        yield "subject:gap"  # padding used to push a tracking id out of view
    if subject.lower().startswith(("re:", "fw:", "fwd:")):
        yield "subject:reply"


def _count(pattern: re.Pattern[str], text: str, cap: int) -> int:
    return sum(1 for _ in islice(pattern.finditer(text), cap))


def text_tokens(text: str) -> Iterator[str]:
    # Every message pays for these scans at delivery: 20,000 characters hold the pitch,
    # and a regex is only run when the character it needs is there at all.
    sample = text[:20_000]
    money = _count(_MONEY_RE, sample, 5) if ("$" in sample or "\u20ac" in sample or "\u00a3" in sample) else 0
    yield f"text:money:{money}"
    yield f"text:phone:{_count(_PHONE_RE_ASCII if sample.isascii() else _PHONE_RE, sample, 3)}"
    yield f"text:percent:{_count(_PERCENT_RE, sample, 3) if '%' in sample else 0}"
    # Counted in C rather than by a Python loop over lines (this runs on every delivery).
    lines = sample.count("\n") + 1
    quoted = sample.count("\n>") + sample.startswith(">")
    yield f"text:quoted:{_bucket(10 * quoted // lines)}"


def structure_tokens(msg: ParsedMessage) -> Iterator[str]:
    yield from header_layout(msg)
    yield from relay_tokens(msg)
    yield from recipient_tokens(msg)
    yield from mime_tokens(msg)
    yield from link_tokens(msg)
    yield from subject_tokens(msg)
    yield from text_tokens(msg.all_text)
