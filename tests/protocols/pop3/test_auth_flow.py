"""POP3 AUTH as servers/pop3 will drive it: receiver + SASL step machine + responses."""

from __future__ import annotations

import base64

from postvak.protocols.pop3 import Auth, AuthResponse, Pop3Receiver, Stat, sasl_challenge
from postvak.protocols.sasl import Cancelled, Challenge, Credentials, start


def test_login_exchange_through_receiver() -> None:
    rx = Pop3Receiver()
    [cmd] = rx.feed(b"AUTH LOGIN\r\n")
    assert isinstance(cmd, Auth) and cmd.mechanism == "LOGIN"
    step = start(cmd.mechanism, cmd.initial_response)
    sent = []
    while isinstance(step, Challenge):
        sent.append(sasl_challenge(step.wire()))
        rx.expect_auth_response()
        answer = b"dora" if len(sent) == 1 else b"pa ss"
        [line] = rx.feed(base64.b64encode(answer) + b"\r\n")
        assert isinstance(line, AuthResponse)
        step = step.feed(line.line)
    assert step == Credentials("", "dora", "pa ss")
    assert sent == [b"+ VXNlcm5hbWU6\r\n", b"+ UGFzc3dvcmQ6\r\n"]


def test_plain_initial_response_and_cancel() -> None:
    rx = Pop3Receiver()
    [cmd] = rx.feed(b"AUTH PLAIN " + base64.b64encode(b"\x00eve\x00pw") + b"\r\n")
    assert isinstance(cmd, Auth)
    assert start("PLAIN", cmd.initial_response) == Credentials("", "eve", "pw")
    [cmd] = rx.feed(b"AUTH PLAIN\r\n")
    assert isinstance(cmd, Auth)
    step = start("PLAIN", cmd.initial_response)
    assert isinstance(step, Challenge)
    rx.expect_auth_response()
    [line, after] = rx.feed(b"*\r\nSTAT\r\n")
    assert isinstance(line, AuthResponse) and after == Stat()
    assert step.feed(line.line) == Cancelled()
