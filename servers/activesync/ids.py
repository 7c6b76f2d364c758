"""ActiveSync identifiers: folder ids, item ServerIds and attachment FileReferences.

[MS-ASCMD] 2.2.3.166.x limits ServerId to 64 characters; "<mailbox_id>:<uid>" is
stable for the life of the message (IMAP UIDs never change within a UIDVALIDITY)
and short. A FileReference adds the MIME part number: "<mailbox_id>:<uid>:1.2".
"""

from __future__ import annotations

from dataclasses import dataclass


class BadId(ValueError):
    """An id this server never handed out."""


@dataclass(frozen=True)
class ItemId:
    mailbox_id: int
    uid: int

    def __str__(self) -> str:
        return f"{self.mailbox_id}:{self.uid}"


def folder_id(mailbox_id: int) -> str:
    return str(mailbox_id)


def parse_folder(text: str | None) -> int:
    if not text or not text.isdigit() or len(text) > 18:
        raise BadId(f"bad folder id {text!r}")
    return int(text)


def item_id(mailbox_id: int, uid: int) -> str:
    return f"{mailbox_id}:{uid}"


def parse_item(text: str | None) -> ItemId:
    parts = (text or "").split(":")
    if len(parts) != 2 or not all(p.isdigit() and len(p) <= 18 for p in parts):
        raise BadId(f"bad item id {text!r}")
    return ItemId(int(parts[0]), int(parts[1]))


def file_reference(mailbox_id: int, uid: int, section: tuple[int, ...]) -> str:
    return f"{mailbox_id}:{uid}:{'.'.join(str(n) for n in section)}"


def parse_file_reference(text: str | None) -> tuple[ItemId, tuple[int, ...]]:
    head, sep, section = (text or "").rpartition(":")
    if not sep or not section:
        raise BadId(f"bad file reference {text!r}")
    try:
        numbers = tuple(int(n) for n in section.split("."))
    except ValueError as exc:
        raise BadId(f"bad file reference {text!r}") from exc
    if any(n < 1 for n in numbers) or len(numbers) > 32:
        raise BadId(f"bad file reference {text!r}")
    return parse_item(head), numbers
