"""The decoded tree: one frozen Element per WBXML tag.

EAS uses no attributes ([MS-ASWBXML] 2.1.1) and never mixes text with child
elements, so an element carries either children, or text, or opaque bytes.
Tags are spelled "Namespace:Name" with the code page name as namespace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Element:
    tag: str
    children: tuple[Element, ...] = ()
    text: str | None = None
    opaque: bytes | None = None

    @property
    def namespace(self) -> str:
        return self.tag.partition(":")[0]

    @property
    def name(self) -> str:
        return self.tag.partition(":")[2]

    def _qualify(self, tag: str) -> str:
        # A bare name means "in my own namespace", as in the spec's XML examples.
        return tag if ":" in tag else f"{self.namespace}:{tag}"

    def __iter__(self) -> Iterator[Element]:
        return iter(self.children)

    def find(self, tag: str) -> Element | None:
        full = self._qualify(tag)
        for child in self.children:
            if child.tag == full:
                return child
        return None

    def findall(self, tag: str) -> list[Element]:
        full = self._qualify(tag)
        return [child for child in self.children if child.tag == full]

    def has(self, tag: str) -> bool:
        return self.find(tag) is not None

    @property
    def value(self) -> str:
        """Text content; opaque bytes decoded as UTF-8 (some clients send ids as opaque)."""
        if self.text is not None:
            return self.text
        if self.opaque is not None:
            return self.opaque.decode("utf-8", "replace")
        return ""

    def findtext(self, tag: str, default: str | None = None) -> str | None:
        child = self.find(tag)
        return default if child is None else child.value

    def findint(self, tag: str, default: int | None = None) -> int | None:
        """Integer child; None/default when absent. Raises ValueError when not an integer."""
        child = self.find(tag)
        if child is None:
            return default
        return int(child.value.strip())


def E(tag: str, *children: Element | None, text: str | int | None = None,
      opaque: bytes | None = None) -> Element:
    """Build an element; None children are dropped so optional parts read naturally.

    Children without a namespace prefix inherit nothing: pass full tags, or use
    the per-namespace helpers made with `ns()`.
    """
    kept = tuple(c for c in children if c is not None)
    if kept and (text is not None or opaque is not None):
        raise ValueError(f"{tag}: an element has children or content, not both")
    return Element(tag, kept, None if text is None else str(text), opaque)


def ns(namespace: str):  # noqa: ANN201 - small builder factory
    """`AS = ns("AirSync"); AS("Sync", AS("Status", text=1))`."""

    def build(name: str, *children: Element | None, text: str | int | None = None,
              opaque: bytes | None = None) -> Element:
        return E(f"{namespace}:{name}", *children, text=text, opaque=opaque)

    return build


def opt(tag: str, value: str | int | None) -> Element | None:
    """A text leaf, or nothing when the value is None (optional elements)."""
    return None if value is None else Element(tag, (), str(value))
