"""FolderCreate/Update/Delete, ItemOperations EmptyFolderContents, Search limits,
Settings (Oof as the vacation rule, UserInformation, DeviceInformation) and bad
input, each driven one request at a time on a real store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from postvak.protocols.activesync import E
from postvak.store import accounts, mailboxes, messages
from postvak.store import sieve as store_sieve
from tests.servers.activesync.handler_env import USER, EasEnv, note

FH = "FolderHierarchy"


def folder_sync(eas: EasEnv) -> str:
    tree = eas.cmd("FolderSync", E(f"{FH}:FolderSync", E(f"{FH}:SyncKey", text="0")))
    return tree.findtext("SyncKey")


def create(eas: EasEnv, key: str, name: str, parent: str = "0"):
    return eas.cmd("FolderCreate", E(f"{FH}:FolderCreate", E(f"{FH}:SyncKey", text=key),
                                     E(f"{FH}:ParentId", text=parent), E(f"{FH}:DisplayName", text=name),
                                     E(f"{FH}:Type", text=12)))


def test_folder_create_update_delete(eas: EasEnv) -> None:
    key = folder_sync(eas)
    tree = create(eas, key, "Projects")
    assert tree.findtext("Status") == "1"
    projects, key = tree.findtext("ServerId"), tree.findtext("SyncKey")
    tree = create(eas, key, "Alpha", parent=projects)
    assert tree.findtext("Status") == "1"
    alpha, key = tree.findtext("ServerId"), tree.findtext("SyncKey")
    assert eas.box("Projects/Alpha").id == int(alpha)
    assert create(eas, key, "Projects").findtext("Status") == "2"  # exists
    assert create(eas, key, "Orphan", parent="999999").findtext("Status") == "5"
    assert create(eas, "77", "Stale").findtext("Status") == "9"  # wrong key
    tree = eas.cmd("FolderUpdate", E(f"{FH}:FolderUpdate", E(f"{FH}:SyncKey", text=key),
                                     E(f"{FH}:ServerId", text=alpha), E(f"{FH}:ParentId", text="0"),
                                     E(f"{FH}:DisplayName", text="Beta")))
    assert tree.findtext("Status") == "1"
    key = tree.findtext("SyncKey")
    assert eas.box("Beta").id == int(alpha)
    inbox = str(eas.box().id)
    delete = lambda k, sid: eas.cmd("FolderDelete", E(f"{FH}:FolderDelete", E(f"{FH}:SyncKey", text=k),  # noqa: E731
                                                      E(f"{FH}:ServerId", text=sid)))
    assert delete(key, inbox).findtext("Status") == "3"  # system folder
    assert delete(key, "999999").findtext("Status") == "4"
    tree = delete(key, projects)
    assert tree.findtext("Status") == "1" and tree.findtext("SyncKey") != key
    names = {m.name for m in eas.store.read(mailboxes.list_mailboxes, eas.account.id)}
    assert "Projects" not in names and "Beta" in names
    # The device's own changes are not echoed by the next FolderSync; what it gets is the
    # deleted folder's new home under Deleted Items (the store keeps deleted folders in Trash).
    tree = eas.cmd("FolderSync", E(f"{FH}:FolderSync", E(f"{FH}:SyncKey", text=tree.findtext("SyncKey"))))
    changes = tree.find("Changes")
    assert tree.findtext("Status") == "1" and changes.findtext("Count") == "1"
    (add,) = changes.findall("Add")
    assert add.findtext("DisplayName") == "Projects" and add.findtext("ServerId") == projects
    assert add.findtext("ParentId") == str(eas.box(special="\\Trash").id)
    assert not changes.findall("Update") and not changes.findall("Delete")


def test_empty_folder_contents(eas: EasEnv) -> None:
    trash = eas.box(special="\\Trash")
    eas.store.write(mailboxes.create_mailbox, eas.account.id, "Trash/Old")
    for i in range(4):
        eas.store.write(messages.ingest, eas.account.id, trash.id, note(i))
    tree = eas.cmd("ItemOperations", E("ItemOperations:ItemOperations", E(
        "ItemOperations:EmptyFolderContents", E("AirSync:CollectionId", text=str(trash.id)),
        E("ItemOperations:Options", E("ItemOperations:DeleteSubFolders")))))
    assert tree.findtext("Status") == "1"
    assert tree.find("Response").find("EmptyFolderContents").findtext("Status") == "1"
    assert eas.uids(trash) == []
    assert "Trash/Old" not in {m.name for m in eas.store.read(mailboxes.list_mailboxes, eas.account.id)}
    tree = eas.cmd("ItemOperations", E("ItemOperations:ItemOperations", E(
        "ItemOperations:EmptyFolderContents", E("AirSync:CollectionId", text="999999"))))
    assert tree.find("Response").find("EmptyFolderContents").findtext("Status") == "6"


def search(eas: EasEnv, text: str, rng: str, store: str = "Mailbox"):
    query = E("Search:And", E("AirSync:Class", text="Email"), E("Search:FreeText", text=text)) \
        if store == "Mailbox" else None
    tree = eas.cmd("Search", E("Search:Search", E("Search:Store", E("Search:Name", text=store), E(
        "Search:Query", query, text=None if query is not None else text),
        E("Search:Options", E("Search:Range", text=rng)))))
    st = tree.find("Response").find("Store")
    return st.findtext("Status"), st.findall("Result"), st.findtext("Range"), st.findtext("Total")


def test_search_range_limits(eas: EasEnv) -> None:
    eas.fill(6)
    status, results, rng, total = search(eas, "note", "0-2")
    assert status == "1" and len(results) == 3 and rng == "0-2" and int(total) >= 3
    status, results, rng, _ = search(eas, "note", "3-9")
    assert status == "1" and len(results) == 3 and rng == "3-5"
    long_ids = {r.findtext("LongId") for r in search(eas, "note", "0-99")[1]}
    assert len(long_ids) == 6
    status, results, _, _ = search(eas, "no-such-word-anywhere", "0-9")
    assert status == "1" and [r.children for r in results] == [()]  # one empty Result (2.2.3.152.2)
    status, results, _, total = search(eas, "v@", "0-0", store="GAL")
    assert status == "1" and len(results) == 1 and total == "1"


def oof_set(eas: EasEnv, state: int, reply: str = "", start: str | None = None, end: str | None = None):
    msg = E("Settings:OofMessage", E("Settings:AppliesToInternal"), E("Settings:Enabled", text=1),
            E("Settings:ReplyMessage", text=reply), E("Settings:BodyType", text="Text"))
    tree = eas.cmd("Settings", E("Settings:Settings", E("Settings:Oof", E(
        "Settings:Set", E("Settings:OofState", text=state), E("Settings:StartTime", text=start) if start else None,
        E("Settings:EndTime", text=end) if end else None, msg))))
    return tree.find("Oof").findtext("Status")


def oof_get(eas: EasEnv):
    tree = eas.cmd("Settings", E("Settings:Settings", E("Settings:Oof", E(
        "Settings:Get", E("Settings:BodyType", text="Text")))))
    return tree.find("Oof").find("Get")


def test_oof_set_get_and_enforced_dates(eas: EasEnv) -> None:
    assert oof_set(eas, 2, "Back in June", "2030-01-01T00:00:00.000Z", "2030-01-31T00:00:00.000Z") == "1"
    got = oof_get(eas)
    assert got.findtext("OofState") == "2" and got.findtext("StartTime") == "2030-01-01T00:00:00.000Z"
    assert got.find("OofMessage").findtext("ReplyMessage") == "Back in June"
    script = eas.store.read(store_sieve.active_script, eas.account.id).content
    assert "vacation" in script and "currentdate" in script and "2030-01-01T00:00:00" in script
    # A message now (before the start) gets no reply; inside the window it does.
    sender = "carol@remote.test"
    eas.ctx.delivery.clock = lambda: datetime(2029, 12, 1, tzinfo=UTC)
    _deliver(eas, sender, 1)
    assert eas.queued() == []
    eas.ctx.delivery.clock = lambda: datetime(2030, 1, 10, tzinfo=UTC)
    _deliver(eas, sender, 2)
    (item,) = eas.queued()
    raw = eas.store.blobs.open(item.blob_sha).read()
    assert b"Auto-Submitted: auto-replied" in raw and b"Back in June" in raw
    assert [r.address for r in item.recipients] == [sender]
    assert oof_set(eas, 0, "Back in June") == "1"
    assert oof_get(eas).findtext("OofState") == "0"
    assert oof_set(eas, 2, "x", "2030-02-01T00:00:00.000Z", "2030-01-01T00:00:00.000Z") == "5"
    assert oof_set(eas, 2, "x", "yesterday") == "5"


def _deliver(eas: EasEnv, sender: str, i: int) -> None:
    rcpts = eas.store.read(accounts.resolve_recipient, USER)
    eas.loop.run_until_complete(eas.ctx.delivery.deliver_all(sender, rcpts, note(i, sender=sender), source="smtp"))


def test_oof_refuses_hand_written_sieve(eas: EasEnv) -> None:
    eas.store.write(store_sieve.put_script, eas.account.id, "mine", 'require "fileinto";\nfileinto "X";\n')
    eas.store.write(store_sieve.activate, eas.account.id, "mine")
    assert oof_set(eas, 1, "away") == "7"
    assert "vacation" not in eas.store.read(store_sieve.active_script, eas.account.id).content


def test_settings_user_and_device_information(eas: EasEnv) -> None:
    tree = eas.cmd("Settings", E("Settings:Settings", E("Settings:DeviceInformation", E(
        "Settings:Set", E("Settings:Model", text="Pixel"))), E("Settings:UserInformation", E("Settings:Get"))))
    assert tree.findtext("Status") == "1"
    assert tree.find("DeviceInformation").findtext("Status") == "1"
    info = tree.find("UserInformation")
    assert info.findtext("Status") == "1"
    found, work = [], [info]
    while work:
        el = work.pop()
        work += el.children
        if el.tag.endswith("SmtpAddress"):
            found.append(el.value)
    assert USER in found


@pytest.mark.parametrize("cmd", ["Sync", "FolderSync", "ItemOperations", "Settings", "MoveItems", "Search"])
def test_malformed_wbxml_gets_status_102(eas: EasEnv, cmd: str) -> None:
    resp = eas.http(cmd, b"\x03\x01\x6a\x00\x45\x5c\xff\xff\xff")
    assert resp.status == 200 and resp.body
    from postvak.protocols.activesync import decode

    tree = decode(resp.body)
    status = tree.findtext("Status") or tree.find("Response").findtext("Status")
    assert status == "102"


def test_bad_input_never_500(eas: EasEnv) -> None:
    # Well-formed WBXML of the wrong command: a protocol error, not a crash.
    tree = eas.cmd("FolderCreate", E("AirSync:Sync", E("AirSync:Collections")))
    assert tree.findtext("Status") in ("10", "6")
    assert eas.cmd("Settings", None).findtext("Status") in ("2", "101")
    assert eas.http("NoSuchCommand", b"").status == 400  # not a command of the query grammar
    assert eas.http("Sync", b"", version="9.9").status == 400
    resp = eas.http("ItemOperations", b"\x03\x01\x6a\x00")  # header only, no body element
    assert resp.status == 200 and b"<html" not in resp.body.lower()
