"""servers/smtp/protocol.clean_line_endings (the DATA smuggling check's fast path)
agrees with its definition: every CR and every LF belongs to a CRLF."""

from __future__ import annotations

import random

from postvak.servers.smtp.protocol import clean_line_endings


def _by_definition(data: bytes) -> bool:
    pairs = data.count(b"\r\n")
    return data.count(b"\n") == pairs and data.count(b"\r") == pairs


def test_edges() -> None:
    for data, clean in [(b"", True), (b"a", True), (b"\r\n", True), (b"a\r\nb", True), (b"a\r\nb\r\n", True),
                        (b"\r", False), (b"\n", False), (b"\n\r", False), (b"a\r\nb\r", False),
                        (b"\na\r", False), (b"\r\r\n\n", False), (b"a\rb\nc", False), (b"\r\n\r\n\r", False)]:
        assert clean_line_endings(data) is clean, data


def test_random_bodies_agree_with_the_definition() -> None:
    rng = random.Random(4)
    alphabet = [b"\r\n", b"\r\n", b"\r", b"\n", b"a", b"bc", b"\x0b", b"\x0c", b"\x1c", b"\x85", b"\n\r"]
    seen = {True: 0, False: 0}
    for _ in range(20_000):
        data = b"".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
        if rng.random() < 0.5:  # mostly CRLF text with a few other pieces, like mail
            data = b"".join(rng.choice([b"line\r\n"] * 8 + alphabet) for _ in range(rng.randrange(0, 30)))
        expected = _by_definition(data)
        assert clean_line_endings(data) is expected, data
        seen[expected] += 1
    assert min(seen.values()) > 1000
