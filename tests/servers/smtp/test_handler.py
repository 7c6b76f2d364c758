"""Pure helpers of the SMTP server: path/parameter split, forged Authentication-Results."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from postvak.servers.smtp.handler import drop_our_results
from postvak.servers.smtp.protocol import _split_path


def test_split_path() -> None:
    assert _split_path("<a@b.test> SIZE=10 BODY=8BITMIME") == ("<a@b.test>", "SIZE=10 BODY=8BITMIME")
    assert _split_path('<"x y>z"@b.test> SMTPUTF8') == ('<"x y>z"@b.test>', "SMTPUTF8")
    assert _split_path("a@b.test") == ("a@b.test", "")
    assert _split_path("<>") == ("<>", "")


@given(st.text(max_size=100))
def test_split_path_total(text: str) -> None:
    path, params = _split_path(text)
    assert isinstance(path, str) and isinstance(params, str)


def test_drop_our_results_keeps_others() -> None:
    raw = (b"Authentication-Results: MX.example.test; spf=pass\r\n"
           b"Authentication-Results: other.test; spf=fail\r\n"
           b"Subject: x\r\n\r\nAuthentication-Results: mx.example.test; body stays\r\n")
    out = drop_our_results(raw, "mx.example.test")
    assert out == (b"Authentication-Results: other.test; spf=fail\r\nSubject: x\r\n\r\n"
                   b"Authentication-Results: mx.example.test; body stays\r\n")
    assert drop_our_results(b"Subject: y\r\n\r\nz", "mx.example.test") == b"Subject: y\r\n\r\nz"


@given(st.binary(max_size=200), st.lists(st.sampled_from([b"\r\n", b"\n", b"\r", b".", b"x"]), max_size=30))
@example(b"", [b"\r", b".", b"\n"])  # line breaks in CRLF order, neither one a CRLF: both bare
@example(b"", [b"\n", b".", b"\r"])
def test_clean_line_endings_agrees_with_the_full_check(prefix: bytes, pieces: list[bytes]) -> None:
    from postvak.protocols.smtp import check_line_endings
    from postvak.servers.smtp.protocol import clean_line_endings

    data = prefix + b"".join(pieces)
    if clean_line_endings(data):  # the fast path may only ever say "clean" when it is
        assert check_line_endings(data) is None
    elif b"\r" in data or b"\n" in data:
        assert check_line_endings(data) is not None


@given(st.lists(st.sampled_from([b"line\r\n", b"..dot\r\n", b".\r\n", b"\r\n", b"x" * 300 + b"\r\n", b".x\r\n"]),
                max_size=40), st.lists(st.integers(min_value=1, max_value=700), min_size=1, max_size=20))
def test_data_is_read_whole_in_any_pieces(lines: list[bytes], cuts: list[int]) -> None:
    """DATA through _read_data_blocks, the wire cut anywhere (the terminator across two
    reads included): the message dot-unstuffed (RFC 5321 4.5.2), what follows it left
    for the command reader."""
    import asyncio
    from types import SimpleNamespace

    from postvak.servers.smtp.protocol import PostvakSMTP

    stuffed = [b"." + line if line.startswith(b".") else line for line in lines]
    wire = b"".join(stuffed) + b".\r\nQUIT\r\n"

    class Reader:  # what _read_data_blocks uses of a StreamReader, one piece per read
        def __init__(self) -> None:
            self._buffer = bytearray()
            self.pieces: list[bytes] = []
            pos = 0
            while pos < len(wire):
                cut = cuts[len(self.pieces) % len(cuts)]
                self.pieces.append(wire[pos:pos + cut])
                pos += cut

        async def read(self, n: int) -> bytes:
            return self.pieces.pop(0)[:n] if self.pieces else b""

    reader = Reader()
    body, error = asyncio.run(PostvakSMTP._read_data_blocks(SimpleNamespace(max_size=1 << 20), reader))  # type: ignore[arg-type]
    assert error is None and body == b"".join(lines)
    assert bytes(reader._buffer) + b"".join(reader.pieces) == b"QUIT\r\n"
