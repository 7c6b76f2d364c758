"""parse_message: envelope, body structure and derived fields over many message shapes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from postvak.protocols.mime import Address, BodyPart, Envelope, parse_message, section_bytes

SIMPLE = (
    b'From: "Joe Q. Public" <john.q.public@example.com>\r\n'
    b"To: Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>\r\n"
    b'Cc: <boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>\r\n'
    b"Subject: Saying Hello\r\n"
    b"Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
    b"Message-ID: <5678.21-Nov-1997@example.com>\r\n"
    b"\r\n"
    b"This is a message just to say hello.\r\n"
    b'So, "Hello".\r\n'
)


def test_simple_envelope() -> None:
    p = parse_message(SIMPLE)
    env = p.envelope
    assert env.date == "Fri, 21 Nov 1997 09:55:06 -0600"
    assert env.subject == "Saying Hello"
    assert env.from_ == (Address("Joe Q. Public", None, "john.q.public", "example.com"),)
    # RFC 3501 7.4.2: absent Sender and Reply-To take From.
    assert env.sender == env.from_ and env.reply_to == env.from_
    assert env.to == (
        Address("Mary Smith", None, "mary", "x.test"),
        Address(None, None, "jdoe", "example.org"),
        Address("Who?", None, "one", "y.test"),
    )
    assert env.cc[1] == Address('Giant; "Big" Box', None, "sysservices", "example.net")
    assert env.bcc == () and env.in_reply_to is None
    assert env.message_id == "<5678.21-Nov-1997@example.com>"
    assert p.message_id == "5678.21-Nov-1997@example.com"
    assert p.sent_date == datetime(1997, 11, 21, 9, 55, 6, tzinfo=timezone(timedelta(hours=-6)))
    assert p.from_addr == "john.q.public@example.com"
    assert p.to_addrs == "mary@x.test,jdoe@example.org,one@y.test"
    assert p.cc_addrs == "boss@nil.test,sysservices@example.net"
    assert p.preview == 'This is a message just to say hello. So, "Hello".'


def test_simple_body_structure() -> None:
    p = parse_message(SIMPLE)
    b = p.body
    assert (b.type, b.subtype, b.params, b.encoding) == ("text", "plain", {"charset": "us-ascii"}, "7BIT")
    assert b.header_start == 0 and SIMPLE[b.body_start :].startswith(b"This is")
    assert b.size == len(SIMPLE) - b.body_start and b.end == len(SIMPLE)
    assert b.lines == 2
    assert b.children == () and b.message is None


def test_missing_headers_and_no_body() -> None:
    p = parse_message(b"")
    assert p.envelope == Envelope()
    assert p.subject == "" and p.base_subject == "" and p.message_id is None
    assert p.body.size == 0 and p.body.lines == 0
    only_header = parse_message(b"Subject: x\r\n")
    assert only_header.subject == "x" and only_header.body.body_start == len(b"Subject: x\r\n")


def test_bare_lf_and_folding() -> None:
    raw = b"Subject: a\n  long\n\tsubject\nFrom: a@b.c\n\nbody\nline2\n"
    p = parse_message(raw)
    assert p.envelope.subject == "a  long\tsubject"
    assert p.from_addr == "a@b.c"
    assert raw[p.body.body_start :] == b"body\nline2\n" and p.body.lines == 2


def test_encoded_words_and_8bit_headers() -> None:
    raw = (
        "Subject: =?ISO-8859-1?Q?Andr=E9?= =?utf-8?b?UGlyYXRlcw==?= tour\r\n"
        "From: =?utf-8?q?J=C3=B6rg?= <jorg@example.de>\r\n"
        "To: Zoë <zoe@example.nl>\r\n\r\nx"
    ).encode()
    p = parse_message(raw)
    assert p.subject == "AndréPirates tour"
    # ENVELOPE keeps names undecoded (IMAP clients decode them).
    assert p.envelope.from_[0].name == "=?utf-8?q?J=C3=B6rg?="
    assert p.envelope.to[0].name == "Zoë"
    latin1 = parse_message(b"Subject: caf\xe9\r\n\r\n")
    assert latin1.subject == "caf\xe9"


def test_groups() -> None:
    raw = b"To: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;\r\nCc: undisclosed-recipients:;\r\n\r\n"
    p = parse_message(raw)
    assert p.envelope.to == (
        Address(None, None, "A Group", None),
        Address("Ed Jones", None, "c", "a.test"),
        Address(None, None, "joe", "where.test"),
        Address("John", None, "jdoe", "one.test"),
        Address(None, None, None, None),
    )
    assert p.envelope.cc == (
        Address(None, None, "undisclosed-recipients", None),
        Address(None, None, None, None),
    )
    assert p.to_addrs == "c@a.test,joe@where.test,jdoe@one.test" and p.cc_addrs == ""


MIXED = (
    b"From: a@example.com\r\n"
    b"Subject: Fwd: report\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="outer"\r\n'
    b"\r\n"
    b"This is a multi-part message in MIME format.\r\n"
    b"--outer\r\n"
    b'Content-Type: multipart/alternative; boundary="inner"\r\n'
    b"\r\n"
    b"--inner\r\n"
    b'Content-Type: text/plain; charset="utf-8"\r\n'
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n"
    b"Caf=C3=A9 au lait\r\n"
    b"--inner\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"\r\n"
    b"<html><style>p{}</style><p>Caf&eacute; <b>au</b> lait</p></html>\r\n"
    b"--inner--\r\n"
    b"\r\n"
    b"--outer\r\n"
    b'Content-Type: application/pdf; name="r.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b"Content-Disposition: attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf\r\n"
    b"Content-ID: <pdf1@example.com>\r\n"
    b"Content-Description: The report\r\n"
    b"Content-Language: en, nl\r\n"
    b"\r\n"
    b"JVBERi0xLjQK\r\n"
    b"--outer\r\n"
    b"Content-Type: message/rfc822\r\n"
    b"\r\n"
    b"From: inner@example.org\r\n"
    b"Subject: inner subject\r\n"
    b"\r\n"
    b"Inner body\r\n"
    b"--outer--\r\n"
    b"epilogue\r\n"
)


def test_mixed_with_attachments_and_nested_message() -> None:
    p = parse_message(MIXED)
    b = p.body
    assert (b.type, b.subtype, b.params) == ("multipart", "mixed", {"boundary": "outer"})
    alt, pdf, msg = b.children
    assert alt.mime_type == "multipart/alternative" and len(alt.children) == 2
    plain, html = alt.children
    assert plain.encoding == "QUOTED-PRINTABLE" and plain.params == {"charset": "utf-8"}
    assert MIXED[plain.body_start : plain.end] == b"Caf=C3=A9 au lait"
    assert plain.lines == 1
    assert pdf.disposition == ("attachment", {"filename": "résumé.pdf"})
    assert pdf.filename == "résumé.pdf" and pdf.is_attachment
    assert pdf.id == "<pdf1@example.com>" and pdf.description == "The report"
    assert pdf.language == ("en", "nl") and pdf.lines is None
    assert MIXED[pdf.body_start : pdf.end] == b"JVBERi0xLjQK"
    assert msg.is_message and msg.envelope is not None
    assert msg.envelope.subject == "inner subject"
    assert msg.envelope.from_ == (Address(None, None, "inner", "example.org"),)
    assert msg.message is not None and msg.message.mime_type == "text/plain"
    assert MIXED[msg.message.body_start : msg.message.end] == b"Inner body"
    assert msg.lines == 4 and msg.size == len(
        b"From: inner@example.org\r\nSubject: inner subject\r\n\r\nInner body"
    )
    assert p.preview == "Café au lait"
    assert p.base_subject == "report" and p.is_reply


def test_json_round_trip() -> None:
    import json

    for raw in (SIMPLE, MIXED):
        p = parse_message(raw)
        body = json.loads(json.dumps(p.body.to_json()))
        env = json.loads(json.dumps(p.envelope.to_json()))
        assert BodyPart.from_json(body) == p.body
        assert Envelope.from_json(env) == p.envelope


def test_section_of_nested_message() -> None:
    p = parse_message(MIXED)
    assert section_bytes(MIXED, p.body, (1, 1)) == b"Caf=C3=A9 au lait"
    assert (
        section_bytes(MIXED, p.body, (3,), "HEADER")
        == b"From: inner@example.org\r\nSubject: inner subject\r\n\r\n"
    )
    assert section_bytes(MIXED, p.body, (3,), "TEXT") == b"Inner body"
    assert section_bytes(MIXED, p.body, (3, 1)) == b"Inner body"
    assert section_bytes(MIXED, p.body, (9,)) == b""
