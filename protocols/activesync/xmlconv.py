"""Element <-> XML text, for tests, logs and debugging (never on the wire).

The XML spelling follows the examples of [MS-ASCMD]: each code page name is the
namespace URI ("AirSync", "AirSyncBase", ...). from_xml also reads libwbxml's
spelling, which appends a colon ("AirSync:"). Opaque bytes are written as base64
text with a marker attribute, since XML cannot carry raw bytes.
"""

from __future__ import annotations

import base64
import binascii

from lxml import etree

from .codepages import page_for
from .element import Element
from .wbxml import WbxmlError

OPAQUE_NS = "urn:postvak:wbxml"
OPAQUE_ATTR = f"{{{OPAQUE_NS}}}opaque"
ACTIVESYNC_DOCTYPE = (
    '<!DOCTYPE ActiveSync PUBLIC "-//MICROSOFT//DTD ActiveSync//EN" "http://www.microsoft.com/">'
)


def _namespaces(root: Element) -> list[str]:
    seen: list[str] = []
    work = [root]
    while work:
        el = work.pop()
        if el.namespace not in seen:
            seen.append(el.namespace)
        work.extend(el.children)
    return seen


def to_xml(root: Element, *, pretty: bool = True, uri_suffix: str = "") -> str:
    """Render as XML. uri_suffix=":" gives libwbxml's namespace URIs."""
    used = _namespaces(root)
    nsmap: dict[str | None, str] = {None: root.namespace + uri_suffix}
    for namespace in used[1:]:
        nsmap[namespace.lower()] = namespace + uri_suffix
    has_opaque = False
    work: list[tuple[Element, etree._Element | None]] = [(root, None)]
    top: etree._Element | None = None
    while work:
        el, parent = work.pop()
        qname = f"{{{el.namespace}{uri_suffix}}}{el.name}"
        node = etree.Element(qname, nsmap=nsmap) if parent is None else etree.SubElement(parent, qname)
        if parent is None:
            top = node
        if el.text is not None:
            node.text = el.text
        elif el.opaque is not None:
            has_opaque = True
            node.set(OPAQUE_ATTR, "base64")
            node.text = base64.b64encode(el.opaque).decode("ascii")
        for child in reversed(el.children):
            work.append((child, node))
    assert top is not None
    if has_opaque:
        etree.cleanup_namespaces(top, top_nsmap={"wbxml": OPAQUE_NS})
    return etree.tostring(top, pretty_print=pretty, encoding="unicode")


def _page_name(uri: str | None, where: str) -> str:
    if not uri:
        raise WbxmlError(f"{where}: element without an ActiveSync namespace")
    name = uri[:-1] if uri.endswith(":") else uri
    cp = page_for(name)
    if cp is None:
        raise WbxmlError(f"{where}: unknown ActiveSync namespace {uri!r}")
    return cp.namespace


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          remove_comments=True, remove_pis=True, huge_tree=False)


def from_xml(text: str | bytes) -> Element:
    """Parse XML (ours or libwbxml's) into an Element; errors raise WbxmlError."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    try:
        top = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise WbxmlError(f"bad XML: {exc}") from exc
    return _convert(top)


def _convert(top: etree._Element) -> Element:
    # Post-order without recursion: children are built before their parent.
    built: dict[etree._Element, Element] = {}
    order: list[etree._Element] = []
    work = [top]
    while work:
        node = work.pop()
        if any(child.tag is etree.Entity for child in node):
            raise WbxmlError("XML entities are not allowed")
        order.append(node)
        work.extend(child for child in node if isinstance(child.tag, str))
    for node in reversed(order):
        q = etree.QName(node)
        tag = f"{_page_name(q.namespace, q.localname)}:{q.localname}"
        kids = tuple(built.pop(c) for c in node if isinstance(c.tag, str))
        if kids:
            el = Element(tag, kids)
        elif node.get(OPAQUE_ATTR) is not None:
            try:
                el = Element(tag, (), None, base64.b64decode(node.text or "", validate=True))
            except binascii.Error as exc:
                raise WbxmlError(f"{tag}: bad base64 opaque data") from exc
        else:
            el = Element(tag, (), node.text)
        built[node] = el
    return built[top]
