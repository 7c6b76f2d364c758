"""SendMail, SmartReply, SmartForward ([MS-ASCMD] 2.2.1.15-17).

12.x posts raw MIME (options in the query); 14.0+ posts ComposeMail WBXML. Smart
commands add the original unless ReplaceMime: a reply quotes its text, a forward
attaches it as message/rfc822. The original gets \\Answered or $Forwarded.
Success is an empty 200.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from postvak.protocols.activesync import parse_compose, parse_compose_mime
from postvak.protocols.activesync import status as S
from postvak.protocols.activesync.cmd_compose import ComposeRequest
from postvak.protocols.mime import parse_message
from postvak.servers.activesync import mailitem
from postvak.servers.activesync.ids import BadId, parse_item
from postvak.servers.activesync.request import CommandFailed, Request
from postvak.servers.activesync.submit import submit
from postvak.store import messages

CRLF = policy.default.clone(linesep="\r\n")


def _request(req: Request) -> ComposeRequest:
    if req.tree is None:
        return parse_compose_mime(req.line, req.body)
    return parse_compose(req.need_tree())


async def handle(req: Request) -> None:
    r = _request(req)
    raw = r.mime
    original = None
    if r.command != "SendMail":
        original = await _original(req, r)
        if not r.replace_mime:
            raw = quote_reply(raw, original[1]) if r.command == "SmartReply" else attach_forward(raw, original[1])
    await submit(req, raw, save_in_sent=r.save_in_sent)
    if original is not None:
        meta = original[0]
        flag = "\\Answered" if r.command == "SmartReply" else "$Forwarded"
        await req.write(messages.set_flags, meta.mailbox_id, [meta.uid], "add", [flag])
    return None


async def _original(req: Request, r: ComposeRequest) -> tuple[Any, bytes]:
    src = r.source
    try:
        ref = parse_item((src.long_id or src.item_id) if src else None)
    except BadId as exc:
        raise CommandFailed(S.ITEM_NOT_FOUND) from exc
    from postvak.servers.activesync.commands.sync import _mailbox

    box = await _mailbox(req, str(ref.mailbox_id))
    metas = await req.read(messages.fetch_meta, ref.mailbox_id, [ref.uid]) if box is not None else []
    if not metas:
        raise CommandFailed(S.ITEM_NOT_FOUND)
    return metas[0], await mailitem.read_raw(req.ctx, metas[0].blob_sha)


def _parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=CRLF).parsebytes(raw)  # type: ignore[return-value]


def quote_reply(raw: bytes, original: bytes) -> bytes:
    """Append the original's text, each line prefixed "> ", to the reply's text part."""
    parsed = parse_message(original)
    plain, html = mailitem.body_texts(original, parsed.body)
    text = plain if plain is not None else mailitem.html_to_text(html or "")
    who = parsed.header("from") or "the sender"
    quoted = "\n".join("> " + line for line in text.splitlines())
    msg = _parse(raw)
    part = msg.get_body(("plain",))
    if part is None:
        return attach_forward(raw, original)
    content = part.get_content()
    part.set_content(f"{content.rstrip()}\n\n{who} wrote:\n{quoted}\n")
    return msg.as_bytes()


def attach_forward(raw: bytes, original: bytes) -> bytes:
    msg = _parse(raw)
    if msg.get_content_maintype() != "multipart" or msg.get_content_subtype() != "mixed":
        msg.make_mixed()
    inner = EmailMessage(policy=CRLF)
    inner.set_content(_parse(original))
    inner.replace_header("Content-Disposition", "attachment") if inner.get("Content-Disposition") \
        else inner.add_header("Content-Disposition", "attachment")
    msg.attach(inner)
    return msg.as_bytes()
