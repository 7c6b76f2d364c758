"""Store test helpers. Until protocols/mime lands, a minimal stand-in with the agreed
contract (parse_message / search_text) is installed, built on the stdlib `email`
package, so the store's own behaviour can be tested; the real parser wins once present."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from postvak.protocols import mime

_RE = re.compile(r"^\s*((re|fwd?|aw|wg)\s*(\[\d+\])?\s*:\s*)+", re.I)


@dataclass(frozen=True)
class _Json:
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return self.data


@dataclass(frozen=True)
class _Parsed:
    envelope: _Json
    body: _Json
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    base_subject: str
    sent_date: Any
    from_addr: str
    to_addrs: str
    cc_addrs: str
    subject: str
    preview: str
    text: str


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(re.findall(r"<[^>]+>", value or ""))


def _stand_in_parse(raw: bytes) -> _Parsed:
    msg = message_from_bytes(raw, policy=policy.compat32)
    subject = str(msg.get("Subject", ""))
    part = msg.get_payload(decode=True) if not msg.is_multipart() else b""
    text = (part or b"").decode("utf-8", "replace")
    try:
        date = parsedate_to_datetime(msg["Date"]) if msg["Date"] else None
    except (TypeError, ValueError):
        date = None
    addrs = lambda h: ", ".join(a for _, a in getaddresses(msg.get_all(h, [])))  # noqa: E731
    return _Parsed(
        _Json({"subject": subject}), _Json({"type": "text"}), (_ids(msg["Message-ID"]) or (None,))[0],
        _ids(msg["In-Reply-To"]), _ids(msg["References"]), _RE.sub("", subject).strip().lower(), date,
        addrs("From"), addrs("To"), addrs("Cc"), subject, text[:100], text,
    )


if not hasattr(mime, "parse_message"):
    mime.parse_message = _stand_in_parse  # type: ignore[attr-defined]
    mime.search_text = lambda raw, parsed: parsed.text  # type: ignore[attr-defined]


def make_raw(n: int = 0, *, subject: str = "hello", body: str = "body text", msgid: str | None = None,
             refs: str = "", frm: str = "sender@remote.test", to: str = "alice@example.test") -> bytes:
    head = [f"From: {frm}", f"To: {to}", f"Subject: {subject}", f"Message-ID: <{msgid or f'm{n}@remote.test'}>",
            "Date: Fri, 28 Nov 2025 10:00:00 +0000"]
    if refs:
        head += [f"In-Reply-To: {refs.split()[-1]}", f"References: {refs}"]
    return ("\r\n".join(head) + f"\r\n\r\n{body} {n}\r\n").encode()
