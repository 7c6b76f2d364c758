"""The inputs of evaluate(): the message, the environment and the limits.

MessageContext derives headers and bodies from the raw bytes with the stdlib email
package (lazily, cached), so delivery only passes bytes and envelope data."""

from __future__ import annotations

import email
import email.header
import email.message
import email.policy
import email.utils
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property


@dataclass(frozen=True)
class Limits:
    max_actions: int = 32
    max_redirects: int = 4
    max_steps: int = 100_000
    max_include_depth: int = 5
    max_script_size: int = 1_000_000
    max_string: int = 1_000_000  # longest variable value, after expansion


@dataclass(frozen=True)
class Environment:
    # The account's own addresses: RFC 5230 4.5 needs them to decide a vacation reply.
    user_addresses: tuple[str, ...] = ()
    separator: str = "+"  # RFC 5233 subaddress separator
    vacation_min_seconds: int = 86400  # RFC 5230 4.1: sites may raise the minimum
    vacation_max_seconds: int = 30 * 86400
    vacation_min_seconds_explicit: int = 0  # RFC 6131 allows :seconds 0
    spam_threshold: int = 5  # unused by Sieve itself; handy for rule builders


_WSP_FOLD = re.compile(r"\r?\n(?=[ \t])")


def decode_header(raw: str) -> str:
    """RFC 5228 2.7.2: headers are compared unfolded and with RFC 2047 words decoded."""
    value = _WSP_FOLD.sub("", raw).strip()
    if "=?" not in value:
        return value
    try:
        parts = email.header.decode_header(value)
        out = []
        for chunk, charset in parts:
            if isinstance(chunk, bytes):
                try:
                    out.append(chunk.decode(charset or "ascii", errors="replace"))
                except LookupError:
                    out.append(chunk.decode("latin-1"))
            else:
                out.append(chunk)
        return "".join(out)
    except Exception:  # malformed encoded words: compare the raw text
        return value


@dataclass(frozen=True)
class MessageContext:
    raw: bytes
    envelope_from: str = ""
    envelope_to: str = ""  # the original recipient, with any +detail
    flags: frozenset[str] = frozenset()
    spam_score: int | None = None  # RFC 5235 spamtest 0..10 (None: not tested)
    spam_percent: int | None = None  # spamtestplus :percent 0..100
    virus_score: int | None = None  # virustest 1..5 (None: not tested)
    mailbox_exists: Callable[[str], bool] | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def size(self) -> int:
        return len(self.raw)

    @cached_property
    def message(self) -> email.message.Message:
        return email.message_from_bytes(self.raw, policy=email.policy.compat32)

    @cached_property
    def _headers(self) -> list[tuple[str, str]]:
        return [(k.lower(), str(v)) for k, v in self.message.items()]

    def raw_headers(self, name: str) -> list[str]:
        """Values as written (folded, encoded words intact), in message order."""
        name = name.lower()
        return [v for k, v in self._headers if k == name]

    def headers(self, name: str) -> list[str]:
        return [decode_header(v) for v in self.raw_headers(name)]

    def has_header(self, name: str) -> bool:
        name = name.lower()
        return any(k == name for k, _ in self._headers)

    @cached_property
    def body_raw(self) -> str:
        """RFC 5173 5.1 :raw: the body undecoded, after the header block."""
        raw = self.raw
        for sep in (b"\r\n\r\n", b"\n\n"):
            i = raw.find(sep)
            if i >= 0:
                return raw[i + len(sep):].decode("utf-8", errors="replace")
        return ""

    def body_content(self, types: tuple[str, ...]) -> list[str]:
        """RFC 5173 5.2 :content: decoded parts whose type matches (""=all)."""
        out = []
        for part in self.message.walk():
            ctype = part.get_content_type().lower()
            main = ctype.split("/")[0]
            if not any(t == "" or t.lower() in (ctype, main) for t in types):
                continue
            if part.is_multipart():
                # RFC 5173 5.2: a multipart type matches its prologue/epilogue text
                out.append((part.preamble or "") + (part.epilogue or ""))
                continue
            out.append(_decoded(part))
        return out

    @cached_property
    def body_text(self) -> list[str]:
        """RFC 5173 5.3 :text: the text/* parts, HTML reduced to its text."""
        out = []
        for part in self.message.walk():
            if part.is_multipart() or part.get_content_maintype() != "text":
                continue
            text = _decoded(part)
            if part.get_content_subtype() == "html":
                text = _html_text(text)
            out.append(text)
        return out


def _decoded(part: email.message.Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("latin-1")


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.S | re.I)


def _html_text(html: str) -> str:
    import html as html_mod

    return html_mod.unescape(_TAG.sub(" ", html))
