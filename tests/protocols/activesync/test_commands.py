"""Command models: parse typed requests from real trees, build responses that encode."""

from __future__ import annotations

import pytest

from postvak.protocols.activesync import status as S
from postvak.protocols.activesync.cmd_common import (
    AS,
    ASB,
    CM,
    FH,
    IO,
    MV,
    PG,
    PV,
    RR,
    SR,
    ST,
    VC,
    RequestError,
)
from postvak.protocols.activesync.cmd_compose import build_compose_response, parse_compose, parse_compose_mime
from postvak.protocols.activesync.cmd_folders import (
    Folder,
    build_foldercreate_response,
    build_foldersync_response,
    parse_foldercreate,
    parse_folderdelete,
    parse_foldersync,
    parse_folderupdate,
)
from postvak.protocols.activesync.cmd_items import (
    EmptyFolderOp,
    FetchOp,
    FetchResult,
    build_itemoperations_response,
    build_moveitems_response,
    parse_itemoperations,
    parse_moveitems,
)
from postvak.protocols.activesync.cmd_ping import build_ping_response, parse_ping
from postvak.protocols.activesync.cmd_provision import (
    POLICY_TYPE_WBXML,
    build_provision_doc,
    build_provision_response,
    parse_provision,
)
from postvak.protocols.activesync.cmd_search import (
    Recipient,
    build_find_response,
    build_resolverecipients_response,
    build_search_response,
    parse_find,
    parse_resolverecipients,
    parse_search,
)
from postvak.protocols.activesync.cmd_settings import (
    build_oof_get,
    build_settings_response,
    build_validatecert_response,
    parse_settings,
    parse_validatecert,
)
from postvak.protocols.activesync.cmd_sync import (
    CommandResult,
    ServerCommand,
    SyncCollectionResponse,
    application_data,
    build_getitemestimate_response,
    build_sync_response,
    parse_getitemestimate,
    parse_sync,
)
from postvak.protocols.activesync.element import E, Element, ns
from postvak.protocols.activesync.query import parse_query
from postvak.protocols.activesync.wbxml import decode, encode


def wire(el: Element) -> Element:
    """Through the codec, as a client would send it."""
    return decode(encode(el))


def test_provision_two_phases() -> None:
    first = parse_provision(wire(PV("Provision", ST("DeviceInformation", ST("Set", ST("Model", text="X1"))),
                                   PV("Policies", PV("Policy", PV("PolicyType", text=POLICY_TYPE_WBXML))))))
    assert first.policy_type == POLICY_TYPE_WBXML and not first.is_acknowledgement
    assert first.device_info is not None and first.device_info.fields == {"Model": "X1"}
    ack = parse_provision(wire(PV("Provision", PV("Policies", PV(
        "Policy", PV("PolicyType", text=POLICY_TYPE_WBXML), PV("PolicyKey", text="1307199584"),
        PV("Status", text=1))))))
    assert ack.is_acknowledgement and ack.policy_key == 1307199584 and ack.ack_status == 1
    doc = build_provision_doc({"DevicePasswordEnabled": False, "MaxAttachmentSize": 52428800})
    resp = wire(build_provision_response(1, policy_type=POLICY_TYPE_WBXML, policy_status=1,
                                         policy_key=42, policy_doc=doc))
    policy = resp.find("Policies").find("Policy")
    assert policy.findtext("PolicyKey") == "42"
    assert policy.find("Data").find("EASProvisionDoc").findtext("DevicePasswordEnabled") == "0"
    wipe = parse_provision(wire(PV("Provision", PV("RemoteWipe", PV("Status", text=1)))))
    assert wipe.remote_wipe_status == 1
    with pytest.raises(RequestError):
        parse_provision(wire(PV("Provision")))


def test_folder_commands() -> None:
    assert parse_foldersync(wire(FH("FolderSync", FH("SyncKey", text=0)))).sync_key == "0"
    create = parse_foldercreate(wire(FH("FolderCreate", FH("SyncKey", text=1), FH("ParentId", text=0),
                                        FH("DisplayName", text="Projects"), FH("Type", text=12))))
    assert (create.parent_id, create.display_name, create.type) == ("0", "Projects", 12)
    assert parse_folderupdate(wire(FH("FolderUpdate", FH("SyncKey", text=1), FH("ServerId", text="7"),
                                      FH("ParentId", text="2"), FH("DisplayName", text="P2")))).server_id == "7"
    assert parse_folderdelete(wire(FH("FolderDelete", FH("SyncKey", text=1),
                                      FH("ServerId", text="7")))).server_id == "7"
    resp = wire(build_foldersync_response(1, "2", added=[Folder("1", "0", "Inbox", 2)], deleted=["9"]))
    changes = resp.find("Changes")
    assert changes.findtext("Count") == "2" and changes.find("Add").findtext("DisplayName") == "Inbox"
    assert wire(build_foldersync_response(S.FOLDER_INVALID_SYNCKEY)).children == (
        E("FolderHierarchy:Status", text="9"),)
    assert wire(build_foldercreate_response(1, "3", "12")).findtext("ServerId") == "12"
    with pytest.raises(RequestError) as err:
        parse_foldercreate(wire(FH("FolderCreate", FH("SyncKey", text=1), FH("ParentId", text=0),
                                   FH("DisplayName", text="x"), FH("Type", text=99))))
    assert err.value.status == S.FOLDER_MALFORMED_REQUEST


def test_sync_request_and_response() -> None:
    email = ns("Email")
    req = parse_sync(wire(AS("Sync", AS("Collections", AS(
        "Collection", AS("SyncKey", text="5"), AS("CollectionId", text="1"), AS("DeletesAsMoves"),
        AS("GetChanges"), AS("WindowSize", text=50),
        AS("Options", AS("FilterType", text=3), AS("MIMESupport", text=0),
           ASB("BodyPreference", ASB("Type", text=2), ASB("TruncationSize", text=51200))),
        AS("Commands", AS("Change", AS("ServerId", text="1:3"), AS("ApplicationData", email("Read", text=1))),
           AS("Delete", AS("ServerId", text="1:4")),
           AS("Add", AS("ClientId", text="c1"), AS("ApplicationData")),
           AS("Fetch", AS("ServerId", text="1:5"))))), AS("HeartbeatInterval", text=600))))
    col = req.collections[0]
    assert (col.sync_key, col.collection_id, col.get_changes, col.window_size) == ("5", "1", True, 50)
    assert col.deletes_as_moves is True
    assert col.options[0].filter_type == 3 and col.options[0].body_preferences[0].truncation_size == 51200
    assert [c.kind for c in col.commands] == ["Change", "Delete", "Add", "Fetch"]
    assert col.commands[0].data.findtext("Email:Read") == "1"
    assert req.heartbeat_interval == 600
    assert parse_sync(wire(AS("Sync"))).collections == ()  # empty Sync: reuse the cached request

    resp = wire(build_sync_response([SyncCollectionResponse(
        "1", S.SYNC_SUCCESS, "6", more_available=True,
        commands=(ServerCommand("Add", "1:9", application_data(email("Subject", text="Hi"))),
                  ServerCommand("Delete", "1:2")),
        responses=(CommandResult("Add", 1, server_id="1:10", client_id="c1"),))]))
    out = resp.find("Collections").find("Collection")
    assert [c.name for c in out.children] == [
        "SyncKey", "CollectionId", "Status", "MoreAvailable", "Commands", "Responses"]
    assert out.find("Commands").find("Add").find("ApplicationData").findtext("Email:Subject") == "Hi"
    assert wire(build_sync_response(status=S.SYNC_INCOMPLETE_REQUEST)).findtext("Status") == "13"
    with pytest.raises(RequestError) as err:
        parse_sync(wire(AS("Sync", AS("Collections", AS("Collection", AS("SyncKey", text=1))))))
    assert err.value.status == S.SYNC_PROTOCOL_ERROR


def test_getitemestimate() -> None:
    gie = ns("GetItemEstimate")
    req = parse_getitemestimate(wire(gie("GetItemEstimate", gie("Collections", gie(
        "Collection", AS("SyncKey", text="3"), gie("CollectionId", text="1"),
        AS("Options", AS("FilterType", text=2)))))))
    assert req.collections[0].sync_key == "3" and req.collections[0].options[0].filter_type == 2
    resp = wire(build_getitemestimate_response([("1", 1, 7)]))
    assert resp.find("Response").find("Collection").findtext("Estimate") == "7"


def test_ping() -> None:
    req = parse_ping(wire(PG("Ping", PG("HeartbeatInterval", text=480), PG("Folders", PG(
        "Folder", PG("Id", text="1"), PG("Class", text="Email"))))))
    assert req.heartbeat_interval == 480 and req.folders[0].class_ == "Email"
    assert parse_ping(wire(PG("Ping"))).folders == ()
    changed = wire(build_ping_response(S.PING_CHANGES_OCCURRED, changed=["1", "5"]))
    assert [f.text for f in changed.find("Folders")] == ["1", "5"]
    assert wire(build_ping_response(5, heartbeat_interval=60)).findtext("HeartbeatInterval") == "60"


def test_itemoperations_and_move() -> None:
    req = parse_itemoperations(wire(IO("ItemOperations", IO(
        "Fetch", IO("Store", text="Mailbox"), ASB("FileReference", text="1:3:0"),
        IO("Options", IO("Range", text="0-99"))),
        IO("EmptyFolderContents", AS("CollectionId", text="4"), IO("Options", IO("DeleteSubFolders"))))))
    fetch, empty = req.operations
    assert isinstance(fetch, FetchOp) and fetch.file_reference == "1:3:0" and fetch.range == "0-99"
    assert isinstance(empty, EmptyFolderOp) and empty.delete_subfolders
    resp = wire(build_itemoperations_response(1, [FetchResult(
        1, file_reference="1:3:0", properties=(ASB("ContentType", text="text/plain"), IO("Data", text="aGk=")))]))
    assert resp.find("Response").find("Fetch").find("Properties").findtext("Data") == "aGk="
    moves = parse_moveitems(wire(MV("MoveItems", MV("Move", MV("SrcMsgId", text="1:1"),
                                                     MV("SrcFldId", text="1"), MV("DstFldId", text="2")))))
    assert moves[0].dst_fld_id == "2"
    assert wire(build_moveitems_response([("1:1", S.MOVE_SUCCESS, "2:1")])).find("Response").findtext(
        "DstMsgId") == "2:1"


def test_compose_wbxml_and_mime() -> None:
    mime = b"From: a@x\r\nTo: b@y\r\nBcc: c@z\r\n\r\nhi\r\n"
    req = parse_compose(wire(CM("SmartReply", CM("ClientId", text="k1"), CM("SaveInSentItems"),
                                CM("Source", CM("FolderId", text="1"), CM("ItemId", text="1:2")),
                                CM("Mime", opaque=mime))))
    assert req.command == "SmartReply" and req.mime == mime and req.save_in_sent
    assert req.source.item_id == "1:2"
    line = parse_query("Cmd=SendMail&User=u&DeviceId=d1&DeviceType=t&SaveInSent=T")
    legacy = parse_compose_mime(line, mime)
    assert legacy.command == "SendMail" and legacy.save_in_sent and legacy.mime == mime
    assert wire(build_compose_response("SendMail", S.MESSAGE_HAS_NO_RECIPIENT)).findtext("Status") == "119"
    with pytest.raises(RequestError):
        parse_compose(wire(CM("SmartForward", CM("Mime", text="x"))))  # no Source


def test_search_resolve_find() -> None:
    req = parse_search(wire(SR("Search", SR("Store", SR("Name", text="GAL"), SR("Query", text="jan"),
                                          SR("Options", SR("Range", text="0-9"))))))
    assert (req.store, req.free_text, req.range) == ("GAL", "jan", (0, 9))
    mailbox = parse_search(wire(SR("Search", SR("Store", SR("Name", text="Mailbox"), SR("Query", SR(
        "And", AS("CollectionId", text="1"), SR("FreeText", text="invoice"))), SR("Options", SR("DeepTraversal"))))))
    assert mailbox.free_text == "invoice" and mailbox.deep_traversal
    empty = wire(build_search_response(1, 1, results=[], total=0))
    assert empty.find("Response").find("Store").findtext("Total") == "0"
    rr = parse_resolverecipients(wire(RR("ResolveRecipients", RR("To", text="jan"),
                                         RR("Options", RR("MaxAmbiguousRecipients", text=5)))))
    assert rr.to == ("jan",) and rr.max_ambiguous == 5
    resp = wire(build_resolverecipients_response(1, [("jan", 1, [Recipient("Jan", "jan@example.org")])]))
    assert resp.find("Response").find("Recipient").findtext("EmailAddress") == "jan@example.org"
    fd = ns("Find")
    find = parse_find(wire(fd("Find", fd("SearchId", text="s1"), fd("ExecuteSearch", fd(
        "MailBoxSearchCriterion", fd("Query", fd("FreeText", text="q")), fd("Options", fd("Range", text="0-4")))))))
    assert (find.search_id, find.free_text, find.gal, find.range) == ("s1", "q", False, (0, 4))
    assert wire(build_find_response(1, [], total=0)).find("Response").findtext("Total") == "0"


def test_settings_and_validatecert() -> None:
    oof_set = ST("Oof", ST("Set", ST("OofState", text=1), ST(
        "OofMessage", ST("AppliesToInternal"), ST("Enabled", text=1), ST("ReplyMessage", text="away"),
        ST("BodyType", text="Text"))))
    device = ST("DeviceInformation", ST("Set", ST("Model", text="P"), ST("OS", text="A")))
    req = parse_settings(wire(ST("Settings", ST("Oof", ST("Get", ST("BodyType", text="Text"))), oof_set,
                                 ST("UserInformation", ST("Get")), device)))
    assert req.oof_get_body_type == "Text" and req.oof_set.state == 1
    assert req.oof_set.messages[0].reply == "away" and req.user_info
    assert req.device_info.fields == {"Model": "P", "OS": "A"}
    resp = wire(build_settings_response(1, build_oof_get(1, req.oof_set)))
    assert resp.find("Oof").find("Get").findtext("OofState") == "1"
    vc = parse_validatecert(wire(VC("ValidateCert", VC("Certificates", VC("Certificate", text="AAEC")),
                                    VC("CheckCRL", text=1))))
    assert vc.certificates == (b"\x00\x01\x02",) and vc.check_crl
    assert wire(build_validatecert_response(1, [7])).find("Certificate").findtext("Status") == "7"


@pytest.mark.parametrize("parser", [parse_sync, parse_ping, parse_provision, parse_foldersync, parse_search,
                                    parse_settings, parse_itemoperations, parse_moveitems, parse_compose])
def test_wrong_root_is_refused(parser) -> None:  # noqa: ANN001
    with pytest.raises(RequestError):
        parser(wire(E("Notes:Subject", text="x")))
