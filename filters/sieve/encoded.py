"""RFC 5228 2.4.2.4 encoded-character: ${hex:..} and ${unicode:..} inside strings."""

from __future__ import annotations

import re

from .errors import SieveSyntaxError

_REF = re.compile(r"\$\{(hex|unicode):([^}]*)\}", re.I)
_HEX_SEQ = re.compile(r"[ \t\r\n]*[0-9A-Fa-f]{1,2}(?:[ \t\r\n]+[0-9A-Fa-f]{1,2})*[ \t\r\n]*")
_UNI_SEQ = re.compile(r"[ \t\r\n]*[0-9A-Fa-f]+(?:[ \t\r\n]+[0-9A-Fa-f]+)*[ \t\r\n]*")


def decode(value: str, line: int) -> str:
    def repl(m: re.Match[str]) -> str:
        kind, body = m.group(1).lower(), m.group(2)
        if kind == "hex":
            if not _HEX_SEQ.fullmatch(body):
                return m.group(0)  # not an encoded-character: left as written
            data = bytes(int(h, 16) for h in body.split())
            return data.decode("utf-8", errors="replace")
        if not _UNI_SEQ.fullmatch(body):
            return m.group(0)
        out = []
        for h in body.split():
            cp = int(h, 16) if len(h) <= 8 else -1
            # RFC 5228 2.4.2.4: values outside Unicode scalar values are an error
            if not (0 <= cp <= 0xD7FF or 0xE000 <= cp <= 0x10FFFF):
                raise SieveSyntaxError(f"invalid unicode character {h!r}", line)
            out.append(chr(cp))
        return "".join(out)

    return _REF.sub(repl, value) if "${" in value else value
