"""ENVELOPE, BODY and BODYSTRUCTURE from the data objects of ``postvak.protocols.mime``
(RFC 9051 7.5.2, RFC 3501 7.4.2).

The objects are read by attribute name only (``Envelope``: date subject from_ sender
reply_to to cc bcc in_reply_to message_id; ``Address``: name adl mailbox host;
``BodyPart``: type subtype params id description encoding size lines md5 disposition
language location children envelope message), so this module does not import mime.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from postvak.protocols.imap.formatter import nstring, string


def _s(value: Any, utf8: bool) -> bytes:
    """nstring of text or bytes; headers that did not parse as text are sent as given."""
    if value is None:
        return b"NIL"
    return nstring(value if isinstance(value, (bytes, str)) else str(value), utf8)


def address_list(addresses: Iterable[Any] | None, utf8: bool = True) -> bytes:
    items = list(addresses or ())
    if not items:
        return b"NIL"
    out = []
    for a in items:
        fields = (a.name, a.adl, a.mailbox, a.host)
        out.append(b"(" + b" ".join(_s(f, utf8) for f in fields) + b")")
    return b"(" + b"".join(out) + b")"


def envelope(env: Any, utf8: bool = True) -> bytes:
    """RFC 9051 7.5.2 ENVELOPE; Sender and Reply-To default to From when absent (RFC 3501 7.4.2)."""
    from_ = env.from_
    sender = env.sender or from_
    reply_to = env.reply_to or from_
    parts = [
        _s(env.date, utf8),
        _s(env.subject, utf8),
        address_list(from_, utf8),
        address_list(sender, utf8),
        address_list(reply_to, utf8),
        address_list(env.to, utf8),
        address_list(env.cc, utf8),
        address_list(env.bcc, utf8),
        _s(env.in_reply_to, utf8),
        _s(env.message_id, utf8),
    ]
    return b"(" + b" ".join(parts) + b")"


def _params(params: Any, utf8: bool) -> bytes:
    if not params:
        return b"NIL"
    pairs = params.items() if isinstance(params, Mapping) else params
    return b"(" + b" ".join(string(k, utf8) + b" " + string(v, utf8) for k, v in pairs) + b")"


def _disposition(dsp: Any, utf8: bool) -> bytes:
    if not dsp:
        return b"NIL"
    if isinstance(dsp, (tuple, list)):
        kind, params = dsp[0], dsp[1] if len(dsp) > 1 else None
    elif isinstance(dsp, str):
        kind, params = dsp, None
    else:
        kind, params = getattr(dsp, "type", None) or getattr(dsp, "value", ""), getattr(dsp, "params", None)
    return b"(" + string(kind, utf8) + b" " + _params(params, utf8) + b")"


def _language(lang: Any, utf8: bool) -> bytes:
    if not lang:
        return b"NIL"
    if isinstance(lang, str):
        return string(lang, utf8)
    items = list(lang)
    if len(items) == 1:
        return string(items[0], utf8)
    return b"(" + b" ".join(string(x, utf8) for x in items) + b")"


def body(part: Any, extensible: bool = True, utf8: bool = True) -> bytes:
    """BODYSTRUCTURE when ``extensible`` (extension data included), else BODY."""
    ptype = (part.type or "text").lower()
    children = list(getattr(part, "children", None) or ())
    if ptype == "multipart":
        inner = b"".join(body(c, extensible, utf8) for c in children)
        if not inner:
            # RFC 9051 9 body-type-mpart needs 1*body; an empty multipart is shown as an empty text part.
            inner = b'("text" "plain" NIL NIL NIL "7bit" 0 0)'
        out = inner + b" " + string(part.subtype or "mixed", utf8)
        if extensible:
            out += b" " + b" ".join(
                [
                    _params(part.params, utf8),
                    _disposition(part.disposition, utf8),
                    _language(part.language, utf8),
                    _s(part.location, utf8),
                ]
            )
        return b"(" + out + b")"
    fields = [
        string(part.type or "text", utf8),
        string(part.subtype or "plain", utf8),
        _params(part.params, utf8),
        _s(part.id, utf8),
        _s(part.description, utf8),
        string(part.encoding or "7bit", utf8),
        str(int(part.size or 0)).encode(),
    ]
    subtype = (part.subtype or "").lower()
    # The mime model names the embedded message's top part ``message``; ``body`` is accepted too.
    embedded = getattr(part, "message", None) or getattr(part, "body", None)
    if ptype == "message" and subtype in ("rfc822", "global") and embedded is not None:
        # RFC 9051 7.5.2: envelope, body and line count of the encapsulated message
        fields += [envelope(part.envelope, utf8), body(embedded, extensible, utf8), str(int(part.lines or 0)).encode()]
    elif ptype == "text":
        fields.append(str(int(part.lines or 0)).encode())
    if extensible:
        fields += [
            _s(part.md5, utf8),
            _disposition(part.disposition, utf8),
            _language(part.language, utf8),
            _s(part.location, utf8),
        ]
    return b"(" + b" ".join(fields) + b")"
