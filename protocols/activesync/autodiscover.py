"""Autodiscover for mobile sync: POX request and response ([MS-ASAHTTP]'s companion,
[MS-OXDISCO] / the "mobilesync" schemas), so a phone finds its server from an address.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/requestschema/2006"
MOBILESYNC_NS = "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"
RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
OUTLOOK_REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
MAX_REQUEST = 16 * 1024

# Autodiscover error status values (mobilesync response schema)
AUTODISCOVER_PROTOCOL_ERROR = 1  # also "no such user / cannot answer"
AUTODISCOVER_PROVIDER_ERROR = 2


class AutodiscoverError(ValueError):
    """The request body is not an Autodiscover request we can read."""


@dataclass(frozen=True)
class AutodiscoverRequest:
    email: str
    acceptable_schema: str

    @property
    def wants_mobilesync(self) -> bool:
        return self.acceptable_schema == MOBILESYNC_NS


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_autodiscover_request(body: bytes) -> AutodiscoverRequest:
    if len(body) > MAX_REQUEST:
        raise AutodiscoverError("request too large")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise AutodiscoverError(f"bad XML: {exc}") from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise AutodiscoverError("DTDs are not accepted")
    q = etree.QName(root)
    if q.localname != "Autodiscover" or q.namespace not in (REQUEST_NS, OUTLOOK_REQUEST_NS):
        raise AutodiscoverError("not an Autodiscover request")
    ns = q.namespace
    email = root.findtext(f"{{{ns}}}Request/{{{ns}}}EMailAddress")
    schema = root.findtext(f"{{{ns}}}Request/{{{ns}}}AcceptableResponseSchema")
    if not email or "@" not in email:
        raise AutodiscoverError("EMailAddress missing")
    return AutodiscoverRequest(email.strip(), (schema or MOBILESYNC_NS).strip())


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, f"{{{MOBILESYNC_NS}}}{name}")
    if text is not None:
        node.text = text
    return node


def _envelope(culture: str) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(f"{{{RESPONSE_NS}}}Autodiscover", nsmap={None: RESPONSE_NS})
    response = etree.SubElement(root, f"{{{MOBILESYNC_NS}}}Response", nsmap={None: MOBILESYNC_NS})
    _sub(response, "Culture", culture)
    return root, response


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def build_autodiscover_response(email: str, display_name: str, url: str, *,
                                culture: str = "en:us") -> bytes:
    """The success answer: one MobileSync server at `url` (…/Microsoft-Server-ActiveSync)."""
    root, response = _envelope(culture)
    user = _sub(response, "User")
    _sub(user, "DisplayName", display_name)
    _sub(user, "EMailAddress", email)
    server = _sub(_sub(_sub(response, "Action"), "Settings"), "Server")
    _sub(server, "Type", "MobileSync")
    _sub(server, "Url", url)
    _sub(server, "Name", url)
    return _serialize(root)


def build_autodiscover_error(message: str, *, status: int = AUTODISCOVER_PROTOCOL_ERROR,
                             culture: str = "en:us") -> bytes:
    root, response = _envelope(culture)
    error = _sub(_sub(response, "Action"), "Error")
    _sub(error, "Status", str(status))
    _sub(error, "Message", message)
    _sub(error, "DebugData", "")
    return _serialize(root)
