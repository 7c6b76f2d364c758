"""WBXML 1.3 codec as profiled by [MS-ASWBXML]: no attributes, no string table.

Header (WAP-192-WBXML 5.3): version 0x03, public id 0x01 (unknown), charset 106
(UTF-8), string table length 0. Body: SWITCH_PAGE, END, STR_I, OPAQUE and tags
(bit 0x40 = has content). Anything else is refused: the decoder is a parser of
untrusted input, so it is iterative, bounded (size, depth, element count) and
raises only WbxmlError.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codepages import page, page_for, split_tag
from .element import Element

# WAP-192-WBXML 7.1 global tokens
SWITCH_PAGE = 0x00
END = 0x01
ENTITY = 0x02
STR_I = 0x03
LITERAL = 0x04
STR_T = 0x83
OPAQUE = 0xC3
CONTENT = 0x40  # 5.8.2: tag has content
ATTRIBUTES = 0x80  # 5.8.2: tag has attributes (never in EAS)

VERSION_1_3 = 0x03
PUBLIC_ID_UNKNOWN = 0x01
CHARSET_UTF8 = 106
HEADER = bytes([VERSION_1_3, PUBLIC_ID_UNKNOWN, CHARSET_UTF8, 0x00])


class WbxmlError(ValueError):
    """Malformed or unsupported WBXML; the message says what and at which offset."""


@dataclass(frozen=True)
class Limits:
    # 50 MB messages travel as OPAQUE MIME in SendMail, plus base64-free headroom
    max_bytes: int = 64 * 1024 * 1024
    max_depth: int = 48
    max_elements: int = 1_000_000


DEFAULT_LIMITS = Limits()


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise WbxmlError(f"unexpected end of data at offset {self.pos}")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def mb_u_int32(self) -> int:
        # 5.1: big-endian base-128, continuation bit 0x80, at most 5 bytes
        value = 0
        for _ in range(5):
            b = self.byte()
            value = (value << 7) | (b & 0x7F)
            if not b & 0x80:
                if value > 0xFFFFFFFF:
                    raise WbxmlError(f"mb_u_int32 overflow at offset {self.pos}")
                return value
        raise WbxmlError(f"mb_u_int32 longer than 5 bytes at offset {self.pos}")

    def cstring(self) -> bytes:
        end = self.data.find(b"\x00", self.pos)
        if end < 0:
            raise WbxmlError(f"unterminated inline string at offset {self.pos}")
        raw = self.data[self.pos:end]
        self.pos = end + 1
        return raw

    def take(self, n: int) -> bytes:
        if n > len(self.data) - self.pos:
            raise WbxmlError(f"opaque length {n} runs past the end at offset {self.pos}")
        raw = self.data[self.pos:self.pos + n]
        self.pos += n
        return raw


class _Open:
    """An element being decoded: its tag and the parts collected so far."""

    __slots__ = ("tag", "children", "text", "opaque")

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.children: list[Element] = []
        self.text: list[str] = []
        self.opaque: list[bytes] = []

    def close(self, offset: int) -> Element:
        kinds = bool(self.children) + bool(self.text) + bool(self.opaque)
        if kinds > 1:
            raise WbxmlError(f"{self.tag}: mixed content ending at offset {offset}")
        return Element(
            self.tag,
            tuple(self.children),
            "".join(self.text) if self.text else None,
            b"".join(self.opaque) if self.opaque else None,
        )


def _header(r: _Reader) -> None:
    version = r.byte()
    if version != VERSION_1_3:
        raise WbxmlError(f"WBXML version 0x{version:02x} is not 1.3")
    public_id = r.mb_u_int32()
    if public_id == 0:
        # 5.5: public id 0 is followed by a string table index; EAS has no table
        raise WbxmlError("public id given as string table reference")
    charset = r.mb_u_int32()
    if charset != CHARSET_UTF8:
        raise WbxmlError(f"charset MIBenum {charset} is not UTF-8 (106)")
    if r.mb_u_int32() != 0:
        raise WbxmlError("string tables are not used by ActiveSync")


def decode(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Element:
    """Decode a whole WBXML document into an Element tree, or raise WbxmlError."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WbxmlError("WBXML input must be bytes")
    data = bytes(data)
    if len(data) > limits.max_bytes:
        raise WbxmlError(f"document of {len(data)} bytes exceeds {limits.max_bytes}")
    r = _Reader(data)
    _header(r)
    current = page(0)
    assert current is not None
    stack: list[_Open] = []
    root: Element | None = None
    count = 0
    while root is None:
        at = r.pos
        token = r.byte()
        if token == SWITCH_PAGE:
            number = r.byte()
            found = page(number)
            if found is None:
                raise WbxmlError(f"unknown code page {number} at offset {at}")
            current = found
        elif token == END:
            if not stack:
                raise WbxmlError(f"END without an open element at offset {at}")
            done = stack.pop().close(at)
            if stack:
                stack[-1].children.append(done)
            else:
                root = done
        elif token == STR_I:
            raw = r.cstring()
            if not stack:
                raise WbxmlError(f"text outside the root element at offset {at}")
            try:
                stack[-1].text.append(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise WbxmlError(f"invalid UTF-8 in string at offset {at}") from exc
        elif token == OPAQUE:
            raw = r.take(r.mb_u_int32())
            if not stack:
                raise WbxmlError(f"opaque data outside the root element at offset {at}")
            stack[-1].opaque.append(raw)
        elif token & 0x3F < 0x05:
            raise WbxmlError(f"unsupported WBXML global token 0x{token:02x} at offset {at}")
        else:
            if token & ATTRIBUTES:
                raise WbxmlError(f"attributes are not used by ActiveSync (offset {at})")
            name = current.tag(token & 0x3F)
            if name is None:
                raise WbxmlError(
                    f"unknown token 0x{token & 0x3F:02x} in code page {current.number} "
                    f"({current.namespace}) at offset {at}")
            count += 1
            if count > limits.max_elements:
                raise WbxmlError(f"more than {limits.max_elements} elements")
            tag = f"{current.namespace}:{name}"
            if token & CONTENT:
                if len(stack) >= limits.max_depth:
                    raise WbxmlError(f"nesting deeper than {limits.max_depth} at offset {at}")
                stack.append(_Open(tag))
            else:
                empty = Element(tag)
                if stack:
                    stack[-1].children.append(empty)
                else:
                    root = empty
    if r.pos != len(data):
        raise WbxmlError(f"{len(data) - r.pos} bytes after the root element")
    return root


class Decoder:
    """Collects a request body chunk by chunk, refusing it as soon as it is too big
    or its header is wrong, so the HTTP layer never buffers a hopeless body."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self.limits.max_bytes:
            raise WbxmlError(f"document exceeds {self.limits.max_bytes} bytes")
        self._chunks.append(bytes(chunk))
        if len(self._chunks) == 1 and chunk and chunk[0] != VERSION_1_3:
            raise WbxmlError(f"WBXML version 0x{chunk[0]:02x} is not 1.3")

    def close(self) -> Element:
        data = b"".join(self._chunks)
        self._chunks = []
        return decode(data, self.limits)


def _mb_u_int32(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def encode(root: Element) -> bytes:
    """Encode an Element tree; unknown tags or unencodable text raise WbxmlError."""
    out = bytearray(HEADER)
    current = 0
    # Iterative walk: (element, None) opens it, (None, None) writes its END.
    work: list[Element | None] = [root]
    while work:
        el = work.pop()
        if el is None:
            out.append(END)
            continue
        try:
            namespace, name = split_tag(el.tag)
        except ValueError as exc:
            raise WbxmlError(str(exc)) from exc
        cp = page_for(namespace)
        token = None if cp is None else cp.token(name)
        if cp is None or token is None:
            raise WbxmlError(f"no WBXML token for tag {el.tag!r}")
        if cp.number != current:
            out += bytes([SWITCH_PAGE, cp.number])
            current = cp.number
        parts = bool(el.children) + (el.text is not None) + (el.opaque is not None)
        if parts > 1:
            raise WbxmlError(f"{el.tag}: mixed content cannot be encoded")
        if not parts:
            out.append(token)
            continue
        out.append(token | CONTENT)
        if el.text is not None:
            raw = el.text.encode("utf-8")
            if b"\x00" in raw:
                raise WbxmlError(f"{el.tag}: text contains NUL")
            out.append(STR_I)
            out += raw + b"\x00"
            out.append(END)
        elif el.opaque is not None:
            out.append(OPAQUE)
            out += _mb_u_int32(len(el.opaque)) + el.opaque
            out.append(END)
        else:
            work.append(None)
            work.extend(reversed(el.children))
    return bytes(out)
