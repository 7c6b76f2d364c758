from __future__ import annotations

from postvak.filters.spam.message import html_marks, parse
from postvak.filters.spam.structure import sender_side_received, structure_tokens
from postvak.filters.spam.tokenizer import tokenize
from tests.filters.spam.samples import message

HOPS = (
    "Received: from localhost (localhost [127.0.0.1]) by mx.our.example (Postfix) with ESMTP id 1\n"
    "Received: from our.example [10.0.0.1] by localhost with IMAP (fetchmail-5.9.0) for me@localhost\n"
    "Received: from relay.sender.example (relay.sender.example [203.0.113.9]) by mx.our.example with ESMTP id 2\n"
    "Received: from pc.sender.example ([198.51.100.7]) by relay.sender.example with SMTP id 3"
)


def test_our_own_hops_are_dropped_and_the_mx_named_no_more() -> None:
    hops = sender_side_received(parse(message(extra=HOPS)))
    assert len(hops) == 2
    assert "our.example" not in hops[0] and "relay.sender.example" in hops[0] and hops[0].endswith("with ESMTP")
    assert hops[1].startswith("from pc.sender.example")


def test_received_tokens_come_from_the_oldest_hop_only() -> None:
    toks = set(tokenize(parse(message(extra=HOPS))))
    assert "received:sender.example" in toks and "received:198.51.100" in toks
    # The later hops are the delivery route, the same for any mail that comes that way.
    assert not any("our.example" in t or t.startswith(("received:127", "received:203")) for t in toks)


def test_html_marks_record_tags_attributes_styles_and_comments() -> None:
    marks = html_marks('<html><body bgcolor="#fff"><!-- x --><p style="color: red; font-size:9px">Hi</p></body></html>')
    assert {"tag:body", "attr:body.bgcolor", "tag:p", "style:color", "style:font-size", "comments:1"} <= set(marks)


def test_structure_tokens_are_opt_in() -> None:
    msg = parse(message(body="<html><body><img src='http://a.example/x.gif'></body></html>", content_type="text/html"))
    assert not any(t.startswith("mime:") for t in tokenize(msg))
    extra = set(structure_tokens(msg))
    assert {"mime:text/html", "html:tag:img", "url:tld:example", "mime:mostly-image"} <= extra
    assert "to:full:bob@example.net" in extra and "hdrseq:^>from" in extra
