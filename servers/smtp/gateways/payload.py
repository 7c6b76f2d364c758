"""What a gateway driver receives, as JSON-ready dicts.

SMS: text only. The text/plain body (or the text of the HTML body when there is no
plain one); attachments are never sent, only counted (`attachments_dropped`).

FAX page model: `documents` in order; the first is the message body and starts on
page 1 (with the subject as a heading line), each attachment follows starting on a
new page, in the order it appears in the message. Attachments are base64 with their
content type, so the gateway renders PDF/TIFF/images/text itself.
"""

from __future__ import annotations

import base64
import html
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

FAX_PAGE_MODEL = (
    "documents are printed in order, each starting on a new page: documents[0] is the message "
    "body (page 1), then one document per attachment in message order"
)
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.S | re.I)
_BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.I)


def _parse(raw: bytes) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return msg


def html_to_text(markup: str) -> str:
    text = _BLOCK.sub("\n", markup)
    text = _TAGS.sub("", text)
    lines = [" ".join(line.split()) for line in html.unescape(text).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def body_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # unknown charset: best effort
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return str(content).replace("\r\n", "\n").strip()


def _attachments(msg: EmailMessage) -> list[EmailMessage]:
    if not msg.is_multipart():
        return []
    return [p for p in msg.iter_attachments() if isinstance(p, EmailMessage)]


def _common(transport: str, number: str, sender: str, msg: EmailMessage) -> dict[str, Any]:
    return {
        "transport": transport,
        "to": number,
        "from": sender,
        "subject": str(msg.get("Subject", "") or ""),
        "message_id": str(msg.get("Message-ID", "") or ""),
    }


def sms_payload(number: str, sender: str, raw: bytes) -> dict[str, Any]:
    msg = _parse(raw)
    out = _common("sms", number, sender, msg)
    out["text"] = body_text(msg)
    out["attachments_dropped"] = len(_attachments(msg))
    return out


def fax_payload(number: str, sender: str, raw: bytes) -> dict[str, Any]:
    msg = _parse(raw)
    out = _common("fax", number, sender, msg)
    subject = out["subject"]
    text = body_text(msg)
    documents: list[dict[str, Any]] = [{
        "role": "body", "content_type": "text/plain; charset=utf-8",
        "text": f"{subject}\n\n{text}" if subject else text,
    }]
    for part in _attachments(msg):
        data = part.get_payload(decode=True)
        documents.append({
            "role": "attachment",
            "filename": part.get_filename() or "",
            "content_type": part.get_content_type(),
            "encoding": "base64",
            "data": base64.b64encode(data if isinstance(data, bytes) else b"").decode("ascii"),
        })
    out["page_model"] = FAX_PAGE_MODEL
    out["documents"] = documents
    return out
