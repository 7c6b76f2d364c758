"""Message -> tokens -> 64-bit feature hashes.

Modelled on the token classes that work for SpamBayes: body words, header
words prefixed by their field, URL pieces, sender and relay domains, and header
presence. Tokens are strings so tests and debugging can read them; the
classifier only sees their 64-bit hashes (collisions are negligible at 2**64).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator

from .message import ParsedMessage, addresses, domain_of, strip_urls
from .structure import sender_side_received, structure_tokens, subject_tokens, text_tokens
from .types import SpamContext

MIN_WORD = 3
MAX_WORD = 12
MAX_CAPS_SCAN = 2000  # shouted words are looked for among this many first alphabetic tokens
_PUNCT = "\"'`.,;:!?()[]{}<>*_-=+|~^#"
_HOST_RE = re.compile(r"(?i)\b((?:[a-z0-9-]+\.)+[a-z]{2,})\b")
_IP_RE = re.compile(r"\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b")
_SUBJECT_SPLIT = re.compile(r"[\s]+")
_URL_SPLIT = re.compile(r"[/?=&.:#%_-]+")
# Verdicts of other filters say nothing we should learn from, and are forgeable.
_IGNORED_HEADER_PREFIXES = ("x-spam-",)
# Headers the receiving side adds (delivery, retrieval, mailbox software): whether they
# are present says how a message was collected, not who sent it, and would teach the
# model the route of the training corpus (validated: dropping them helps on the
# later-period split; see ACCURACY.md).
_COLLECTOR_HEADERS = frozenset((
    "content-length", "delivered-to", "delivery-date", "envelope-to", "errors-to", "lines", "received",
    "return-path", "status", "x-beenthere", "x-envelope-to", "x-filter", "x-keywords", "x-loop",
    "x-mailman-version", "x-mozilla-status", "x-mozilla-status2", "x-original-date", "x-original-to",
    "x-status", "x-uid", "x-virus-scanned",
))
_BOUNDARY_RE = re.compile(r'(?i)boundary="?([^";]+)')
_VALUE_HEADERS = ("x-mailer", "user-agent", "precedence", "list-id", "organization", "x-priority",
                  "content-transfer-encoding", "mime-version", "importance", "x-msmail-priority")


def _log2_bucket(n: int) -> str:
    return f"2**{max(n, 1).bit_length() - 1}"


def words(text: str, prefix: str = "") -> Iterator[str]:
    """Body-style words: lower-case, edges trimmed; long words summarised as SpamBayes does."""
    return _word_tokens(text.split(), prefix)


def _word_tokens(pieces: Iterable[str], prefix: str = "") -> Iterator[str]:
    for raw in pieces:
        word = raw.strip(_PUNCT).lower()
        if not word:
            continue
        n = len(word)
        if "@" in word and n > 3:
            name, _, dom = word.partition("@")
            yield f"{prefix}email name:{name[:MAX_WORD]}"
            for piece in dom.split("."):
                if piece:
                    yield f"{prefix}email addr:{piece}"
        elif MIN_WORD <= n <= MAX_WORD:
            yield prefix + word
        elif n > MAX_WORD:
            # Long runs are mostly encodings and junk; their first char and length still tell.
            yield f"{prefix}skip:{word[0]} {n // 10 * 10}"


def url_tokens(url: str) -> Iterator[str]:
    lowered = url.lower()
    proto, sep, rest = lowered.partition("://")
    if not sep:
        proto, rest = "http", lowered
    yield f"proto:{proto}"
    host, _, path = rest.partition("/")
    host = host.rpartition("@")[2].partition(":")[0]
    if _IP_RE.fullmatch(host):
        yield "url:ip-host"
    labels = [p for p in host.split(".") if p]
    for i in range(len(labels)):  # every suffix: www.a.example -> a.example, example ...
        if len(labels) - i <= 3:
            yield "url:" + ".".join(labels[i:])
    for piece in _URL_SPLIT.split(path)[:12]:
        if 2 <= len(piece) <= MAX_WORD:
            yield "url:" + piece


def _received_tokens(value: str) -> Iterator[str]:
    lowered = value.lower()
    for host in _HOST_RE.findall(lowered):
        labels = host.split(".")
        if _IP_RE.fullmatch(host):
            continue
        yield "received:" + ".".join(labels[-2:])
        if len(labels) > 2:
            yield "received:" + ".".join(labels[-3:])
    for a, b, c, _d in _IP_RE.findall(lowered):
        yield f"received:{a}"
        yield f"received:{a}.{b}"
        yield f"received:{a}.{b}.{c}"


def shape(text: str) -> str:
    """Letters -> a, digits -> 9, runs collapsed: '<00000e0836ec$00006b26@x>' -> '<9a9a9$9a9@a>'."""
    out: list[str] = []
    for ch in text[:60]:
        cls = "a" if ch.isalpha() else "9" if ch.isdigit() else ch
        if not out or out[-1] != cls or cls not in "a9":
            out.append(cls)
    return "".join(out)


def _date_tokens(value: str | None) -> Iterator[str]:
    if not value:
        return
    parts = value.split()
    if parts and parts[-1].startswith(("+", "-")) and len(parts[-1]) == 5:
        yield "date:tz:" + parts[-1]
    elif parts:
        yield "date:tz:" + parts[-1][:8].lower()
    yield "date:shape:" + shape(value)[:20]


def header_tokens(msg: ParsedMessage) -> Iterator[str]:
    counts: dict[str, int] = {}
    for name, _value in msg.headers:
        counts[name] = counts.get(name, 0) + 1
    for name, count in counts.items():
        if name not in _COLLECTOR_HEADERS and not name.startswith(_IGNORED_HEADER_PREFIXES):
            yield f"header:{name}:{_log2_bucket(count)}"

    subject = msg.header("subject") or ""
    for word in _SUBJECT_SPLIT.split(subject):
        stripped = word.strip(_PUNCT)
        # Case kept here: "FREE" in a subject is a different signal from "free".
        if stripped and len(stripped) <= 20:
            yield "subject:" + stripped
        punct = word[len(word.rstrip("!?$")):]
        if punct:
            yield "subject:punct:" + punct[:5]
    if not subject:
        yield "subject:none"

    for field in ("from", "reply-to", "return-path", "sender"):
        for name, addr in addresses(msg.header(field)):
            yield f"{field}:addr:{domain_of(addr) or 'none'}"
            if field == "from":
                if name:
                    yield from words(name, "from:name:")
                else:
                    yield "from:no real name"
    for field in ("to", "cc"):
        found = [a for v in msg.header_all(field) for a in addresses(v)]
        if found:
            yield f"{field}:{_log2_bucket(len(found))}"
            for _name, addr in found[:20]:
                yield f"{field}:addr:{domain_of(addr) or 'none'}"
        else:
            yield f"{field}:none"

    message_id = msg.header("message-id")
    if message_id:
        dom = domain_of(message_id)
        yield f"message-id:@{dom}" if dom else "message-id:invalid"
        # Bulk tools make ids of a recognisable form whatever domain they claim.
        yield "message-id:shape:" + shape(message_id.partition("@")[0])
    yield from _date_tokens(msg.header("date"))
    for _name, addr in addresses(msg.header("from")):
        yield "from:shape:" + shape(addr.partition("@")[0])
    boundary = _BOUNDARY_RE.search(msg.header("content-type") or "")
    if boundary:
        yield "boundary:" + shape(boundary.group(1))
    # Only the oldest hop: where the message entered the mail system, which the sender
    # chose or caused. The hops above it are the path to our mailbox and the same for
    # spam and ham that arrive the same way; learning them teaches the model the
    # training corpus's delivery routes (validated by re-routing held-out spam through
    # a ham's path: 69 % caught with all hops, 87 % with the oldest; see ACCURACY.md).
    for value in sender_side_received(msg)[-1:]:
        yield from _received_tokens(value)
    for field in _VALUE_HEADERS:
        header_value = msg.header(field)
        if header_value:
            for word in header_value.lower().split()[:8]:
                yield f"{field}:{word.strip(_PUNCT)[:MAX_WORD]}"


def _bucket(fraction: float) -> int:
    return int(fraction * 10)


STYLE_SAMPLE = 50_000


def style_tokens(text: str) -> Iterator[str]:
    """How the text is written rather than what it says: shouting, money, punctuation, 8-bit share."""
    sample = text[:STYLE_SAMPLE]
    tokens = sample.split()
    return _style_tokens(sample, tokens, Counter(tokens))


def _style_tokens(sample: str, tokens: list[str], counts: Counter[str]) -> Iterator[str]:
    """style_tokens of `sample`, given its whitespace-split tokens and their counts."""
    if not tokens:
        return
    # A long text repeats most of its words: each distinct one is tested once (counted in C)
    # and weighted by how often it occurs, which gives the very fractions of a per-token loop.
    alpha = 0
    shouted: dict[str, int] = {}  # distinct upper-case alphabetic tokens -> occurrences
    for t, n in counts.items():
        if len(t) > 2 and t.isalpha():
            alpha += n
            if t.isupper():
                shouted[t] = n
    if alpha:
        yield f"style:caps%:{_bucket(sum(shouted.values()) / alpha)}"
    yield f"style:words:{_log2_bucket(len(tokens))}"
    yield f"style:bang:{_log2_bucket(sample.count('!') + 1)}"
    yield f"style:dollar:{_log2_bucket(sample.count('$') + 1)}"
    # Counted in C: encoding drops exactly the chars above U+007F.
    nonascii = 0 if sample.isascii() else len(sample) - len(sample.encode("ascii", "ignore"))
    yield f"style:8bit%:{_bucket(nonascii / max(1, len(sample)))}"
    if alpha > MAX_CAPS_SCAN and shouted:
        shouted = _first_alpha(tokens)
    # Tokens are a set downstream: each shouted word once.
    yield from {"caps:" + t.lower()[:MAX_WORD] for t in shouted if t.isupper() and len(t) >= 4}


def _first_alpha(tokens: list[str]) -> dict[str, int]:
    """The distinct tokens among the first MAX_CAPS_SCAN alphabetic tokens (len > 2) of `tokens`."""
    first: dict[str, int] = {}
    seen = 0
    for t in tokens:
        if len(t) > 2 and t.isalpha():
            first[t] = 1
            seen += 1
            if seen == MAX_CAPS_SCAN:
                break
    return first


def body_tokens(msg: ParsedMessage, bigrams: bool = False) -> Iterator[str]:
    for ctype in msg.content_types:
        yield "content-type:" + ctype
    for charset in msg.charsets:
        yield "charset:" + charset
    for filename in msg.filenames:
        ext = filename.rpartition(".")[2].lower() if "." in filename else "none"
        yield "filename:" + ext[:MAX_WORD]
    for url in msg.urls[:100]:
        yield from url_tokens(url)
    for link in msg.links[:50]:
        yield from words(link.text, "anchor:")
    text = strip_urls(msg.all_text)
    # The text is split and counted once for the style sample and, when the sample is all of
    # it (a part is cut at 50,000 chars), for the words too: a Counter's keys are the distinct
    # words in first-seen order, as dict.fromkeys gives them.
    sample = text[:STYLE_SAMPLE]
    tokens = sample.split()
    counts = Counter(tokens)
    yield from _style_tokens(sample, tokens, counts)
    if bigrams:
        previous = None
        for word in words(text):
            yield word
            if previous is not None:
                yield f"bi:{previous} {word}"
            previous = word
    else:
        # Features are a set and a word's tokens depend on the word alone, so each
        # distinct word is looked at once (a 100 KB body repeats most of its words).
        yield from _word_tokens(counts if len(sample) == len(text) else dict.fromkeys(text.split()))
    if not text.strip():
        yield "body:empty"


def tokenize(
    msg: ParsedMessage,
    context: SpamContext | None = None,
    *,
    bigrams: bool = False,
    rules: Iterable[str] = (),
    structure: bool = False,
) -> list[str]:
    tokens = ["rule:" + name for name in rules]
    tokens.extend(header_tokens(msg))
    tokens.extend(body_tokens(msg, bigrams))
    # Subject shape (length, digits, padding, reply prefix) and counts of money, phone
    # numbers, percentages and quoted lines: these two of structure.py's groups lowered
    # validation hard-ham scores; the others (MIME, links, header order) raised them.
    tokens.extend(subject_tokens(msg))
    tokens.extend(text_tokens(msg.all_text))
    if structure:
        tokens.extend(structure_tokens(msg))
    if context is not None and context.envelope_from:
        tokens.append("envfrom:" + (domain_of(context.envelope_from.strip("<>")) or "none"))
    return tokens


# Header and common body tokens recur in nearly every message; hashing is a fifth of the work.
@functools.lru_cache(maxsize=65_536)
def feature(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def features(tokens: Iterable[str]) -> frozenset[int]:
    """Unique hashed features: each token counts once per message (as in Graham's and Robinson's schemes)."""
    return frozenset(map(feature, set(tokens)))  # map: no Python frame per token
