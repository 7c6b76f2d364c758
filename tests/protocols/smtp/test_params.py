"""ESMTP MAIL/RCPT parameters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.protocols.smtp import (
    Body,
    MailParams,
    Notify,
    RcptParams,
    Ret,
    SmtpError,
    decode_xtext,
    encode_xtext,
    parse_mail_params,
    parse_rcpt_params,
)


def test_mail_params_all() -> None:
    got = parse_mail_params("SIZE=1000 BODY=8bitmime SMTPUTF8 RET=HDRS ENVID=QQ+2B1 AUTH=a+40b")
    assert got == MailParams(size=1000, body=Body.EIGHT_BIT_MIME, smtputf8=True, ret=Ret.HDRS,
                             envid="QQ+1", auth="a@b")


def test_mail_params_from_aiosmtpd_list() -> None:
    assert parse_mail_params(["size=5", "BODY=7BIT"]) == MailParams(size=5, body=Body.SEVEN_BIT)
    assert parse_mail_params([]) == MailParams()
    assert parse_mail_params("BODY=BINARYMIME").body is Body.BINARY_MIME


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ("SIZE=abc", 501), ("SIZE=", 501), ("SIZE", 501), ("SIZE=-1", 501), ("SIZE=" + "9" * 21, 501),
        ("BODY=9BIT", 501), ("SMTPUTF8=yes", 501), ("RET=ALL", 501), ("ENVID=a+zz", 501),
        ("ENVID=" + "a" * 101, 501), ("SIZE=1 SIZE=2", 501), ("XFOO=1", 555), ("-BAD=1", 501),
        ("AUTH=+4", 501),
    ],
)
def test_mail_params_errors(params: str, code: int) -> None:
    with pytest.raises(SmtpError) as caught:
        parse_mail_params(params)
    assert caught.value.reply.code == code


def test_only_advertised_params() -> None:
    with pytest.raises(SmtpError) as caught:
        parse_mail_params("SMTPUTF8", allow=frozenset({"SIZE"}))
    assert caught.value.reply.code == 555


def test_rcpt_params() -> None:
    assert parse_rcpt_params("NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+40b.c") == RcptParams(
        notify=frozenset({Notify.SUCCESS, Notify.FAILURE}), orcpt=("rfc822", "a@b.c")
    )
    assert parse_rcpt_params("NOTIFY=NEVER").notify == frozenset()
    assert parse_rcpt_params("") == RcptParams()
    for bad in ["NOTIFY=NEVER,SUCCESS", "NOTIFY=SOMETIMES", "NOTIFY=DELAY,DELAY", "ORCPT=a@b", "ORCPT=;x",
                "SIZE=1"]:
        with pytest.raises(SmtpError):
            parse_rcpt_params(bad)


@given(st.text(max_size=40))
def test_xtext_roundtrip(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return
    assert decode_xtext(encode_xtext(text)) == text


@given(st.text(max_size=120))
def test_any_params_only_smtp_error(text: str) -> None:
    for fn in (parse_mail_params, parse_rcpt_params):
        try:
            fn(text)
        except SmtpError as err:
            assert err.reply.code in (501, 555)
