"""A refused command's literal is skipped, not run as commands (RFC 5804 4: a client
sends {n+} literal octets without waiting, so they follow even a refused line)."""

from __future__ import annotations

import pytest

from postvak.protocols.managesieve import BadCommand, Noop, SieveReceiver


def _feed(data: bytes, bytewise: bool) -> list[object]:
    r = SieveReceiver()
    r.authenticated = True
    if not bytewise:
        return list(r.feed(data))
    out: list[object] = []
    for i in range(len(data)):
        out += r.feed(data[i : i + 1])
    return out


@pytest.mark.parametrize("bytewise", [False, True])
@pytest.mark.parametrize("data", [
    b'PUTSCRIPT "a\x00b" {22+}\r\nDELETESCRIPT "other"\r\n\r\nNOOP\r\n',  # bad name, literal looks like a command
    b'PUTSCRIPT "x" {5+}\r\nkeep;junk {3+}\r\nabc\r\nNOOP\r\n',  # error after one literal, then another
    b'PUTSCRIPT "x" {5}\r\nkeep;junk\r\nNOOP\r\n',  # a synchronizing literal is taken the same way
    b'PUTSCRIPT "' + b"n" * 2000 + b'" {8+}\r\nLOGOUT\r\n\r\nNOOP\r\n',  # quoted string too long
])
def test_the_literal_of_a_refused_command_is_not_run(data: bytes, bytewise: bool) -> None:
    got = _feed(data, bytewise)
    assert len(got) == 2 and isinstance(got[0], BadCommand) and isinstance(got[1], Noop), got


def test_a_refused_line_without_a_literal_skips_only_itself() -> None:
    got = _feed(b'GETSCRIPT "a\x00"\r\nNOOP\r\n', bytewise=False)
    assert len(got) == 2 and isinstance(got[0], BadCommand) and isinstance(got[1], Noop), got
