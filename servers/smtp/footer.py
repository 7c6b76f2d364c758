"""Per-domain forced footer (disclaimer) appended to the body of submitted mail.

Which parts get it: the message's body text, i.e. text/plain and text/html leaves
reached through multipart/alternative (all children) and multipart/mixed or
related (first child only: the rest are attachments or inline resources). Parts
marked as attachments, forwarded messages (message/rfc822) and anything inside
multipart/signed or multipart/encrypted (RFC 1847: changing it breaks the
signature; PGP/MIME, S/MIME) are left alone.

Re-encoding: the text is decoded with its charset, the footer appended, and the
result written back in the same charset when it can hold the footer, else UTF-8;
base64 parts stay base64, every other part becomes quoted-printable (RFC 2045 6.7),
so 8-bit footers survive 7-bit hops and long lines stay under 998 octets.
"""

from __future__ import annotations

import base64
import html
import quopri
import re
from email import message_from_bytes, policy
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO
from typing import Any

from postvak.store import state

SCOPE = "footer"  # state entries: key = domain, value = footer text
_BODY_END = re.compile(r"</body\s*>", re.I)
_WIRE = policy.compat32.clone(linesep="\r\n", max_line_length=0)  # no refolding of existing fields


def get_footer(tx: Any, domain: str) -> str | None:
    value = state.get(tx, SCOPE, None, domain.lower())
    return str(value) if value else None


def set_footer(tx: Any, domain: str, text: str | None) -> None:
    if text and text.strip():
        state.put(tx, SCOPE, None, domain.lower(), text.strip("\r\n"))
    else:
        state.delete_key(tx, SCOPE, None, domain.lower())


def all_footers(tx: Any) -> dict[str, str]:
    return {e.key: str(e.value) for e in state.list_entries(tx, SCOPE) if e.account_id is None and e.value}


def apply_footer(raw: bytes, domain_footer: str | None) -> bytes:
    """`raw` with `domain_footer` appended to its body text parts; unchanged when the
    footer is empty or the message has no part that may be changed."""
    if not domain_footer or not domain_footer.strip():
        return raw
    msg = message_from_bytes(raw, policy=policy.compat32)
    if not _visit(msg, domain_footer.strip("\r\n")):
        return raw
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_WIRE).flatten(msg)
    return out.getvalue()


def _visit(part: Message, footer: str) -> bool:
    ctype = part.get_content_type()
    if ctype in ("multipart/signed", "multipart/encrypted", "application/pkcs7-mime"):
        return False
    if part.is_multipart():
        children = [c for c in part.get_payload() if isinstance(c, Message)]
        if ctype == "multipart/alternative":
            return any([_visit(child, footer) for child in children])
        return bool(children) and _visit(children[0], footer)
    if ctype not in ("text/plain", "text/html"):
        return False
    if (part.get("Content-Disposition") or "").strip().lower().startswith("attachment"):
        return False
    return _append(part, footer, html_part=ctype == "text/html")


def _append(part: Message, footer: str, *, html_part: bool) -> bool:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return False
    charset = part.get_content_charset() or "us-ascii"
    try:
        text = data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        charset, text = "utf-8", data.decode("utf-8", "replace")
    nl = "\r\n" if "\r\n" in text else "\n"
    if html_part:
        block = '<div class="postvak-footer">' + html.escape(footer).replace("\n", "<br>" + nl) + "</div>" + nl
        ends = list(_BODY_END.finditer(text))
        if ends:
            cut = ends[-1].start()
            text = text[:cut] + block + text[cut:]
        else:
            text = text.rstrip("\r\n") + nl + block
    else:
        text = text.rstrip("\r\n") + nl + nl + footer.replace("\n", nl) + nl
    try:
        body = text.encode(charset)
    except (LookupError, UnicodeEncodeError):
        charset, body = "utf-8", text.encode("utf-8")
    if charset.lower() in ("us-ascii", "ascii") and any(b > 0x7F for b in body):
        charset = "utf-8"
    was_base64 = (part.get("Content-Transfer-Encoding") or "").strip().lower() == "base64"
    del part["Content-Transfer-Encoding"]
    if was_base64:
        part.set_payload(base64.encodebytes(body).decode("ascii"))
        part["Content-Transfer-Encoding"] = "base64"
    else:
        part.set_payload(quopri.encodestring(body.replace(b"\r\n", b"\n")).decode("ascii"))
        part["Content-Transfer-Encoding"] = "quoted-printable"
    if part.get("Content-Type") is None:
        part["Content-Type"] = "text/plain"
    part.set_param("charset", charset)
    return True
