"""Code page lookup: token <-> tag name, both ways, for the decoder and encoder.

[MS-ASWBXML] 2.1.2.1: every ActiveSync tag lives in one of 26 code pages; a page
is also the XML namespace of its tags ("AirSync", "Email", ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .codepage_tables import FIRST_TOKEN, PAGES


@dataclass(frozen=True)
class CodePage:
    number: int
    namespace: str
    by_token: dict[int, str] = field(compare=False, repr=False)
    by_name: dict[str, int] = field(compare=False, repr=False)

    def tag(self, token: int) -> str | None:
        return self.by_token.get(token)

    def token(self, name: str) -> int | None:
        return self.by_name.get(name)


def _build(number: int, namespace: str, names: str) -> CodePage:
    by_token: dict[int, str] = {}
    for offset, name in enumerate(names.split()):
        if name != "-":
            by_token[FIRST_TOKEN + offset] = name
    # WBXML tag tokens are 6 bits (WAP-192-WBXML 5.8.2): 0x05..0x3F
    assert max(by_token) <= 0x3F, namespace
    by_name = {name: token for token, name in by_token.items()}
    assert len(by_name) == len(by_token), f"duplicate tag in {namespace}"
    return CodePage(number, namespace, by_token, by_name)


CODE_PAGES: dict[int, CodePage] = {n: _build(n, ns, names) for n, ns, names in PAGES}
BY_NAMESPACE: dict[str, CodePage] = {p.namespace: p for p in CODE_PAGES.values()}
# Page 6 is "ItemEstimate" in [MS-ASWBXML] prose and "GetItemEstimate" in the schemas.
ALIASES = {"ItemEstimate": "GetItemEstimate", "Gal": "GAL"}  # "Gal": libwbxml's spelling


def page(number: int) -> CodePage | None:
    return CODE_PAGES.get(number)


def page_for(namespace: str) -> CodePage | None:
    return BY_NAMESPACE.get(ALIASES.get(namespace, namespace))


def split_tag(tag: str) -> tuple[str, str]:
    """'Email:Subject' -> ('Email', 'Subject'); raises ValueError without a namespace."""
    namespace, sep, name = tag.partition(":")
    if not sep or not namespace or not name:
        raise ValueError(f"tag {tag!r} is not 'Namespace:Name'")
    return namespace, name
