"""Sync and GetItemEstimate ([MS-ASCMD] 2.2.1.21 and 2.2.1.9).

The model stops at ApplicationData: what an Email, Contact or Calendar item holds
is for the server layer to map, so it stays an Element here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .cmd_common import AS, ASB, GIE, RequestError, expect_root, flag, need_text, opt_int, opt_text
from .element import Element
from .status import ESTIMATE_INVALID_COLLECTION, SYNC_PROTOCOL_ERROR

BAD = SYNC_PROTOCOL_ERROR
# [MS-ASCMD] 2.2.3.70.1 FilterType values for email/calendar
FILTER_ALL = 0
FILTER_1_DAY, FILTER_3_DAYS, FILTER_1_WEEK, FILTER_2_WEEKS, FILTER_1_MONTH = 1, 2, 3, 4, 5
FILTER_3_MONTHS, FILTER_6_MONTHS, FILTER_INCOMPLETE_TASKS = 6, 7, 8
MAX_WINDOW = 512  # 2.2.3.199: WindowSize 1..512
MAX_COLLECTIONS = 1000


@dataclass(frozen=True)
class BodyPreference:
    type: int  # 1 plain, 2 HTML, 3 RTF, 4 MIME ([MS-ASAIRS] 2.2.2.22)
    truncation_size: int | None = None
    all_or_none: bool = False
    preview: int | None = None


@dataclass(frozen=True)
class SyncOptions:
    filter_type: int | None = None
    body_preferences: tuple[BodyPreference, ...] = ()
    mime_support: int | None = None  # 0 never, 1 S/MIME only, 2 always
    mime_truncation: int | None = None
    conflict: int | None = None  # 0 client wins, 1 server wins
    class_: str | None = None
    max_items: int | None = None


@dataclass(frozen=True)
class ClientCommand:
    kind: str  # "Add", "Change", "Delete", "Fetch"
    server_id: str | None = None
    client_id: str | None = None
    data: Element | None = None  # ApplicationData


@dataclass(frozen=True)
class SyncCollection:
    sync_key: str
    collection_id: str
    get_changes: bool | None  # None when absent: the default depends on SyncKey
    window_size: int | None
    deletes_as_moves: bool | None
    options: tuple[SyncOptions, ...]
    commands: tuple[ClientCommand, ...]
    conversation_mode: bool = False


@dataclass(frozen=True)
class SyncRequest:
    collections: tuple[SyncCollection, ...]  # empty: repeat the cached request (2.2.3.28)
    wait: int | None = None  # minutes
    heartbeat_interval: int | None = None  # seconds
    window_size: int | None = None
    partial: bool = False


def parse_body_preference(el: Element) -> BodyPreference:
    t = opt_int(el, "Type", BAD)
    if t is None or t not in (1, 2, 3, 4):
        raise RequestError("BodyPreference Type missing or invalid", BAD)
    return BodyPreference(t, opt_int(el, "TruncationSize", BAD), flag(el, "AllOrNone"),
                          opt_int(el, "Preview", BAD))


def parse_options(el: Element) -> SyncOptions:
    return SyncOptions(
        filter_type=opt_int(el, "FilterType", BAD),
        body_preferences=tuple(parse_body_preference(b) for b in el.findall("AirSyncBase:BodyPreference")),
        mime_support=opt_int(el, "MIMESupport", BAD),
        mime_truncation=opt_int(el, "MIMETruncation", BAD),
        conflict=opt_int(el, "Conflict", BAD),
        class_=opt_text(el, "Class", 32),
        max_items=opt_int(el, "MaxItems", BAD))


def _commands(el: Element | None) -> tuple[ClientCommand, ...]:
    if el is None:
        return ()
    out = []
    for c in el.children:
        if c.name not in ("Add", "Change", "Delete", "Fetch") or c.namespace != "AirSync":
            raise RequestError(f"unexpected {c.tag} in Commands", BAD)
        out.append(ClientCommand(c.name, opt_text(c, "ServerId", 64), opt_text(c, "ClientId", 64),
                                 c.find("ApplicationData")))
        if c.name == "Add" and out[-1].client_id is None:
            raise RequestError("Add without ClientId", BAD)
        if c.name != "Add" and out[-1].server_id is None:
            raise RequestError(f"{c.name} without ServerId", BAD)
    return tuple(out)


def _optional_flag(el: Element, tag: str) -> bool | None:
    return flag(el, tag) if el.has(tag) else None


def parse_sync(root: Element) -> SyncRequest:
    expect_root(root, "AirSync:Sync", BAD)
    cols = root.find("Collections")
    collections = []
    for c in (cols.findall("Collection") if cols is not None else []):
        window = opt_int(c, "WindowSize", BAD)
        collections.append(SyncCollection(
            sync_key=need_text(c, "SyncKey", BAD, 64),
            collection_id=need_text(c, "CollectionId", BAD, 64),
            get_changes=_optional_flag(c, "GetChanges"),
            window_size=window,
            deletes_as_moves=_optional_flag(c, "DeletesAsMoves"),
            options=tuple(parse_options(o) for o in c.findall("Options")),
            commands=_commands(c.find("Commands")),
            conversation_mode=flag(c, "ConversationMode")))
    if len(collections) > MAX_COLLECTIONS:
        raise RequestError("too many collections", BAD)
    wait, heartbeat = opt_int(root, "Wait", BAD), opt_int(root, "HeartbeatInterval", BAD)
    if wait is not None and heartbeat is not None:
        raise RequestError("Wait and HeartbeatInterval together", BAD)
    return SyncRequest(tuple(collections), wait, heartbeat, opt_int(root, "WindowSize", BAD),
                       flag(root, "Partial"))


# --- response -----------------------------------------------------------------------

@dataclass(frozen=True)
class ServerCommand:
    kind: str  # "Add", "Change", "Delete", "SoftDelete"
    server_id: str
    data: Element | None = None  # ApplicationData for Add/Change


@dataclass(frozen=True)
class CommandResult:
    """One entry of Responses: the outcome of a client Add/Change/Delete/Fetch."""
    kind: str
    status: int
    server_id: str | None = None
    client_id: str | None = None
    data: Element | None = None  # ApplicationData for Fetch


@dataclass(frozen=True)
class SyncCollectionResponse:
    collection_id: str
    status: int
    sync_key: str | None = None
    class_: str | None = None  # only for 2.5/12.x clients that sent it
    commands: tuple[ServerCommand, ...] = ()
    responses: tuple[CommandResult, ...] = ()
    more_available: bool = False


def application_data(*children: Element | None) -> Element:
    return AS("ApplicationData", *children)


def _server_command(c: ServerCommand) -> Element:
    return AS(c.kind, AS("ServerId", text=c.server_id), c.data)


def _result(r: CommandResult) -> Element:
    return AS(r.kind, AS("ClientId", text=r.client_id) if r.client_id is not None else None,
              AS("ServerId", text=r.server_id) if r.server_id is not None else None,
              AS("Status", text=r.status), r.data)


def build_sync_response(collections: list[SyncCollectionResponse] | tuple[SyncCollectionResponse, ...] = (),
                        *, status: int | None = None) -> Element:
    """A top-level status alone (errors such as 13, 14) or the collections."""
    if status is not None and not collections:
        return AS("Sync", AS("Status", text=status))
    out = []
    for c in collections:
        # [MS-ASCMD] 2.2.3.29.2 order: SyncKey, CollectionId, Status, then the rest
        out.append(AS(
            "Collection",
            AS("Class", text=c.class_) if c.class_ else None,
            AS("SyncKey", text=c.sync_key) if c.sync_key is not None else None,
            AS("CollectionId", text=c.collection_id),
            AS("Status", text=c.status),
            AS("MoreAvailable") if c.more_available else None,
            AS("Commands", *[_server_command(x) for x in c.commands]) if c.commands else None,
            AS("Responses", *[_result(x) for x in c.responses]) if c.responses else None))
    return AS("Sync", AS("Status", text=status) if status is not None else None,
              AS("Collections", *out))


def build_limit_response(status: int, limit: int) -> Element:
    """Status 14/15 answer with the allowed bound in Limit (2.2.3.94)."""
    return AS("Sync", AS("Status", text=status), AS("Limit", text=limit))


def build_body(type_: int, data: str | None, estimated_size: int, truncated: bool = False,
               preview: str | None = None) -> Element:
    """[MS-ASAIRS] 2.2.2.9 airsyncbase:Body for ApplicationData."""
    return ASB("Body", ASB("Type", text=type_), ASB("EstimatedDataSize", text=estimated_size),
               ASB("Truncated", text=1) if truncated else None,
               ASB("Data", text=data) if data is not None else None,
               ASB("Preview", text=preview) if preview is not None else None)


# --- GetItemEstimate ------------------------------------------------------------------

@dataclass(frozen=True)
class EstimateCollection:
    collection_id: str
    sync_key: str | None  # in AirSync namespace from 12.1 on
    options: tuple[SyncOptions, ...] = ()
    conversation_mode: bool = False


@dataclass(frozen=True)
class GetItemEstimateRequest:
    collections: tuple[EstimateCollection, ...]


def parse_getitemestimate(root: Element) -> GetItemEstimateRequest:
    expect_root(root, "GetItemEstimate:GetItemEstimate", ESTIMATE_INVALID_COLLECTION)
    cols = root.find("Collections")
    if cols is None:
        raise RequestError("GetItemEstimate without Collections", ESTIMATE_INVALID_COLLECTION)
    out = []
    for c in cols.findall("Collection"):
        out.append(EstimateCollection(
            need_text(c, "CollectionId", ESTIMATE_INVALID_COLLECTION, 64),
            opt_text(c, "AirSync:SyncKey", 64),
            tuple(parse_options(o) for o in c.findall("AirSync:Options")),
            flag(c, "AirSync:ConversationMode")))
    return GetItemEstimateRequest(tuple(out))


def build_getitemestimate_response(results: list[tuple[str, int, int | None]]) -> Element:
    """results: (collection_id, status, estimate or None)."""
    return GIE("GetItemEstimate", *[
        GIE("Response", GIE("Status", text=status),
            GIE("Collection", GIE("CollectionId", text=cid),
                GIE("Estimate", text=estimate) if estimate is not None else None))
        for cid, status, estimate in results])


