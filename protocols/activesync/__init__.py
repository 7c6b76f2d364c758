"""Exchange ActiveSync protocol layer: WBXML codec, code pages, request/response
model. No I/O, no store: servers/activesync builds on this.

    tree = decode(body)                      # WbxmlError on bad input
    req = parse_sync(tree)                   # RequestError(status=...) on bad content
    body = encode(build_sync_response([...]))
"""

from .autodiscover import (
    AutodiscoverError,
    AutodiscoverRequest,
    build_autodiscover_error,
    build_autodiscover_response,
    parse_autodiscover_request,
)
from .cmd_common import RequestError
from .cmd_compose import (
    ComposeRequest,
    ComposeSource,
    build_compose_response,
    parse_compose,
    parse_compose_mime,
)
from .cmd_folders import (
    Folder,
    build_foldercreate_response,
    build_folderdelete_response,
    build_foldersync_response,
    build_folderupdate_response,
    parse_foldercreate,
    parse_folderdelete,
    parse_foldersync,
    parse_folderupdate,
)
from .cmd_items import (
    FetchResult,
    build_itemoperations_response,
    build_meetingresponse_response,
    build_moveitems_response,
    parse_itemoperations,
    parse_meetingresponse,
    parse_moveitems,
)
from .cmd_ping import PingRequest, build_ping_response, parse_ping
from .cmd_provision import ProvisionRequest, build_provision_doc, build_provision_response, parse_provision
from .cmd_search import (
    Recipient,
    build_find_response,
    build_resolverecipients_response,
    build_search_response,
    build_search_result,
    parse_find,
    parse_resolverecipients,
    parse_search,
)
from .cmd_settings import (
    build_settings_response,
    build_validatecert_response,
    parse_settings,
    parse_validatecert,
)
from .cmd_sync import (
    CommandResult,
    ServerCommand,
    SyncCollectionResponse,
    SyncRequest,
    build_getitemestimate_response,
    build_sync_response,
    parse_getitemestimate,
    parse_sync,
)
from .dates import format_date, parse_date
from .element import E, Element, ns
from .query import QueryError, RequestLine, parse_query
from .wbxml import Decoder, Limits, WbxmlError, decode, encode
from .xmlconv import from_xml, to_xml

__all__ = [
    "AutodiscoverError",
    "AutodiscoverRequest",
    "CommandResult",
    "ComposeRequest",
    "ComposeSource",
    "Decoder",
    "E",
    "Element",
    "FetchResult",
    "Folder",
    "Limits",
    "PingRequest",
    "ProvisionRequest",
    "QueryError",
    "Recipient",
    "RequestError",
    "RequestLine",
    "ServerCommand",
    "SyncCollectionResponse",
    "SyncRequest",
    "WbxmlError",
    "build_autodiscover_error",
    "build_autodiscover_response",
    "build_compose_response",
    "build_find_response",
    "build_foldercreate_response",
    "build_folderdelete_response",
    "build_foldersync_response",
    "build_folderupdate_response",
    "build_getitemestimate_response",
    "build_itemoperations_response",
    "build_meetingresponse_response",
    "build_moveitems_response",
    "build_ping_response",
    "build_provision_doc",
    "build_provision_response",
    "build_resolverecipients_response",
    "build_search_response",
    "build_search_result",
    "build_settings_response",
    "build_sync_response",
    "build_validatecert_response",
    "decode",
    "encode",
    "format_date",
    "from_xml",
    "ns",
    "parse_autodiscover_request",
    "parse_compose",
    "parse_compose_mime",
    "parse_date",
    "parse_find",
    "parse_foldercreate",
    "parse_folderdelete",
    "parse_foldersync",
    "parse_folderupdate",
    "parse_getitemestimate",
    "parse_itemoperations",
    "parse_meetingresponse",
    "parse_moveitems",
    "parse_ping",
    "parse_provision",
    "parse_query",
    "parse_resolverecipients",
    "parse_search",
    "parse_settings",
    "parse_sync",
    "parse_validatecert",
    "to_xml",
]
