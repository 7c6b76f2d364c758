"""Bytes that are not UTF-8 reach protocols/smtp as lone surrogates (aiosmtpd decodes
arguments with surrogateescape); they must give an SMTP error or be made safe, never
raise UnicodeEncodeError (which became 451 and lost the message)."""

from __future__ import annotations

import pytest

from postvak.protocols.smtp import SmtpError, parse_path
from postvak.protocols.smtp.received import build_received


def _escaped(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


@pytest.mark.parametrize("raw", [b"<\xff\xfe@example.net>", b"<a@\xc3\x28.example>", b"\xff@example.net"])
@pytest.mark.parametrize("smtputf8", [False, True])
def test_path_with_bytes_that_are_not_utf8_is_501(raw: bytes, smtputf8: bool) -> None:
    with pytest.raises(SmtpError) as err:
        parse_path(_escaped(raw), null_ok=True, postmaster_ok=True, smtputf8=smtputf8)
    assert err.value.reply.code == 501 and err.value.reply.enhanced == "5.1.3"


def test_utf8_path_is_still_accepted() -> None:
    path = parse_path("<jörg@bücher.example>", smtputf8=True)
    assert path.local == "jörg"


@pytest.mark.parametrize("helo", [b"\xff\xfe.example", b"\xc3\x28", b"ok.example\xff"])
def test_received_from_a_helo_name_that_is_not_utf8_encodes(helo: bytes) -> None:
    header = build_received(helo=_escaped(helo), peer_ip="192.0.2.1", by_host="mx.example", protocol="ESMTP")
    assert header.startswith(b"Received: from ") and header.endswith(b"\r\n")
    assert b"\xff" not in header and b"?" in header.split(b"\r\n")[0]
