"""The frozen results of parsing, and their compact JSON forms for the store's cache."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from postvak.protocols.mime.encoded import decode_header


@dataclass(frozen=True, slots=True)
class Header:
    """One header field: name as written, value unfolded (RFC 5322 2.2.3), not 2047-decoded."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class Address:
    """An IMAP ENVELOPE address (RFC 3501 7.4.2 / RFC 9051 7.5.2).

    ``name`` is the display phrase as written (quotes removed, encoded words kept).
    Group syntax: start is ``Address(None, None, group_name, None)``, end is all None.
    A missing local part or domain is "" (never None, which would mean a group).
    """

    name: str | None
    adl: str | None
    mailbox: str | None
    host: str | None

    @property
    def is_group_start(self) -> bool:
        return self.host is None and self.mailbox is not None

    @property
    def is_group_end(self) -> bool:
        return self.host is None and self.mailbox is None

    @property
    def addr_spec(self) -> str:
        """local@domain (or just local if the domain is missing); "" for group markers."""
        if self.host is None:
            return ""
        return f"{self.mailbox}@{self.host}" if self.host else (self.mailbox or "")


Addresses = tuple[Address, ...]


def _addrs_json(addrs: Addresses) -> list[list[str | None]]:
    return [[a.name, a.adl, a.mailbox, a.host] for a in addrs]


def _addrs_from(data: list[list[str | None]]) -> Addresses:
    return tuple(Address(*row) for row in data)


@dataclass(frozen=True, slots=True)
class Envelope:
    """RFC 3501 7.4.2 ENVELOPE: raw header strings (None when absent) and address lists.

    ``sender`` and ``reply_to`` already default to ``from_`` as the RFC requires.
    """

    date: str | None = None
    subject: str | None = None
    from_: Addresses = ()
    sender: Addresses = ()
    reply_to: Addresses = ()
    to: Addresses = ()
    cc: Addresses = ()
    bcc: Addresses = ()
    in_reply_to: str | None = None
    message_id: str | None = None

    def to_json(self) -> list[Any]:
        """Compact list; sender/reply_to equal to from are stored as null."""
        return [
            self.date,
            self.subject,
            _addrs_json(self.from_),
            None if self.sender == self.from_ else _addrs_json(self.sender),
            None if self.reply_to == self.from_ else _addrs_json(self.reply_to),
            _addrs_json(self.to),
            _addrs_json(self.cc),
            _addrs_json(self.bcc),
            self.in_reply_to,
            self.message_id,
        ]

    @classmethod
    def from_json(cls, data: list[Any]) -> Envelope:
        from_ = _addrs_from(data[2])
        return cls(
            date=data[0],
            subject=data[1],
            from_=from_,
            sender=from_ if data[3] is None else _addrs_from(data[3]),
            reply_to=from_ if data[4] is None else _addrs_from(data[4]),
            to=_addrs_from(data[5]),
            cc=_addrs_from(data[6]),
            bcc=_addrs_from(data[7]),
            in_reply_to=data[8],
            message_id=data[9],
        )


@dataclass(frozen=True, slots=True)
class BodyPart:
    """One node of the MIME tree (RFC 3501 7.4.2 BODYSTRUCTURE fields plus offsets).

    Offsets index the raw message: ``raw[header_start:body_start]`` is this part's
    header (the MIME header, or the message header at top level, blank line included),
    ``raw[body_start:end]`` its body. ``size`` is ``end - body_start``. ``lines`` is
    set for text/* and message/rfc822|global. ``encoding`` is upper-cased ("7BIT" by
    default). For message/rfc822 ``envelope`` and ``message`` (the embedded message's
    top part, whose header is the embedded message header) are set, unless the part
    was treated as opaque (transfer-encoded, or past the nesting/part limits).
    """

    type: str = "text"
    subtype: str = "plain"
    params: dict[str, str] = field(default_factory=dict)
    id: str | None = None
    description: str | None = None
    encoding: str = "7BIT"
    size: int = 0
    lines: int | None = None
    md5: str | None = None
    disposition: tuple[str, dict[str, str]] | None = None
    language: tuple[str, ...] | None = None
    location: str | None = None
    header_start: int = 0
    body_start: int = 0
    end: int = 0
    children: tuple[BodyPart, ...] = ()
    envelope: Envelope | None = None
    message: BodyPart | None = None

    def __hash__(self) -> int:
        # params/disposition hold dicts; hash the identity-like fields so parts can key caches
        return hash((self.type, self.subtype, self.header_start, self.body_start, self.end))

    @property
    def mime_type(self) -> str:
        return f"{self.type}/{self.subtype}"

    @property
    def is_multipart(self) -> bool:
        return self.type == "multipart"

    @property
    def is_message(self) -> bool:
        return self.type == "message" and self.subtype in ("rfc822", "global")

    @property
    def charset(self) -> str | None:
        return self.params.get("charset")

    @property
    def filename(self) -> str | None:
        """Attachment name: disposition filename, else Content-Type name; 2047/2231 decoded."""
        name = None
        if self.disposition is not None:
            name = self.disposition[1].get("filename")
        if name is None:
            name = self.params.get("name")
        return None if name is None else decode_header(name)

    @property
    def is_attachment(self) -> bool:
        if self.disposition is not None and self.disposition[0] == "attachment":
            return True
        return not self.is_multipart and self.type not in ("text", "message") and bool(self.filename)

    def walk(self) -> Iterator[BodyPart]:
        """This part and all below it, depth first, entering embedded messages."""
        yield self
        for child in self.children:
            yield from child.walk()
        if self.message is not None:
            yield from self.message.walk()

    def to_json(self) -> dict[str, Any]:
        """Compact dict (short keys, defaults left out); ``from_json`` restores it exactly."""
        d: dict[str, Any] = {"t": self.type, "s": self.subtype}
        if self.params:
            d["p"] = list(self.params.items())
        if self.id is not None:
            d["i"] = self.id
        if self.description is not None:
            d["d"] = self.description
        if self.encoding != "7BIT":
            d["e"] = self.encoding
        d["z"] = self.size
        if self.lines is not None:
            d["l"] = self.lines
        if self.md5 is not None:
            d["5"] = self.md5
        if self.disposition is not None:
            d["dp"] = [self.disposition[0], list(self.disposition[1].items())]
        if self.language is not None:
            d["lg"] = list(self.language)
        if self.location is not None:
            d["lo"] = self.location
        d["o"] = [self.header_start, self.body_start, self.end]
        if self.children:
            d["c"] = [c.to_json() for c in self.children]
        if self.envelope is not None:
            d["v"] = self.envelope.to_json()
        if self.message is not None:
            d["m"] = self.message.to_json()
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> BodyPart:
        hs, bs, end = d["o"]
        disp = d.get("dp")
        lang = d.get("lg")
        return cls(
            type=d["t"],
            subtype=d["s"],
            params={k: v for k, v in d.get("p", ())},
            id=d.get("i"),
            description=d.get("d"),
            encoding=d.get("e", "7BIT"),
            size=d["z"],
            lines=d.get("l"),
            md5=d.get("5"),
            disposition=None if disp is None else (disp[0], {k: v for k, v in disp[1]}),
            language=None if lang is None else tuple(lang),
            location=d.get("lo"),
            header_start=hs,
            body_start=bs,
            end=end,
            children=tuple(cls.from_json(c) for c in d.get("c", ())),
            envelope=Envelope.from_json(d["v"]) if "v" in d else None,
            message=cls.from_json(d["m"]) if "m" in d else None,
        )


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """Everything the layers above need from one message, computed once at ingest.

    Message ids (``message_id``, ``in_reply_to``, ``references``) are given without
    the angle brackets. ``from_addr``/``to_addrs``/``cc_addrs`` are lower-cased
    addr-specs joined by ",". ``base_subject`` follows RFC 5256 2.1 (case kept);
    ``is_reply`` says whether extraction removed a Re:/Fwd:/(fwd) (RFC 5256 REFERENCES 5).
    """

    headers: tuple[Header, ...]
    envelope: Envelope
    body: BodyPart
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    base_subject: str
    sent_date: datetime | None
    from_addr: str
    to_addrs: str
    cc_addrs: str
    subject: str
    preview: str
    is_reply: bool = False

    def header(self, name: str) -> str | None:
        """First value of a header field (case-insensitive name), or None."""
        key = name.lower()
        for h in self.headers:
            if h.name.lower() == key:
                return h.value
        return None

    def header_all(self, name: str) -> tuple[str, ...]:
        key = name.lower()
        return tuple(h.value for h in self.headers if h.name.lower() == key)
