"""Store test helpers: raw messages for the store tests (parsed by the real
postvak.protocols.mime parser, as in production)."""

from __future__ import annotations


def make_raw(n: int = 0, *, subject: str = "hello", body: str = "body text", msgid: str | None = None,
             refs: str = "", frm: str = "sender@remote.test", to: str = "alice@example.test") -> bytes:
    head = [f"From: {frm}", f"To: {to}", f"Subject: {subject}", f"Message-ID: <{msgid or f'm{n}@remote.test'}>",
            "Date: Fri, 28 Nov 2025 10:00:00 +0000"]
    if refs:
        head += [f"In-Reply-To: {refs.split()[-1]}", f"References: {refs}"]
    return ("\r\n".join(head) + f"\r\n\r\n{body} {n}\r\n").encode()
