"""Sync, GetItemEstimate and MoveItems driven one request at a time on a real
store: windows with MoreAvailable, key reuse after a lost answer, a repeated key 0,
estimates, and moves into and out of Spam training the filter."""

from __future__ import annotations

from postvak.protocols.activesync import E
from postvak.servers.core import training
from postvak.store import mailboxes, messages
from tests.servers.activesync.handler_env import EasEnv


def sync(eas: EasEnv, box_id: int, key: str, window: int | None = None, commands=None, **kw):
    col = E("AirSync:Collection", E("AirSync:SyncKey", text=key), E("AirSync:CollectionId", text=str(box_id)),
            E("AirSync:WindowSize", text=window) if window else None, commands)
    tree = eas.cmd("Sync", E("AirSync:Sync", E("AirSync:Collections", col)), **kw)
    return tree.find("Collections").find("Collection")


def adds(col) -> list[str]:
    cmds = col.find("Commands")
    return [a.findtext("ServerId") for a in cmds.findall("Add")] if cmds is not None else []


def test_window_size_and_more_available(eas: EasEnv) -> None:
    box = eas.fill(12)
    key = sync(eas, box.id, "0").findtext("SyncKey")
    seen: list[str] = []
    rounds = 0
    while True:
        col = sync(eas, box.id, key, window=5)
        assert col.findtext("Status") == "1"
        got = adds(col)
        assert len(got) <= 5
        seen += got
        key = col.findtext("SyncKey")
        rounds += 1
        if not col.has("MoreAvailable"):
            break
    assert rounds == 3 and len(seen) == 12 and len(set(seen)) == 12
    assert sorted(int(s.split(":")[1]) for s in seen) == eas.uids(box)
    # Nothing new: the same key comes back and no commands.
    col = sync(eas, box.id, key, window=5)
    assert col.findtext("SyncKey") == key and adds(col) == []


def test_previous_key_replays_the_lost_answer(eas: EasEnv) -> None:
    box = eas.fill(3)
    key1 = sync(eas, box.id, "0").findtext("SyncKey")
    first = sync(eas, box.id, key1)
    key2 = first.findtext("SyncKey")
    again = sync(eas, box.id, key1)  # the device never saw key2's answer
    assert sorted(adds(again)) == sorted(adds(first)) and len(adds(first)) == 3
    assert again.findtext("SyncKey") == key2
    # A key older than the previous one, or a foreign one, is refused with Status 3.
    assert adds(sync(eas, box.id, key2)) == []
    eas.fill(1)
    key3 = sync(eas, box.id, key2).findtext("SyncKey")
    assert key3 != key2 and sync(eas, box.id, key3).findtext("Status") == "1"
    assert sync(eas, box.id, key1).findtext("Status") == "3"
    bad = sync(eas, box.id, "{00000000-0000-0000-0000-000000000000}1")
    assert bad.findtext("Status") == "3" and bad.findtext("SyncKey") == "0"


def test_repeated_key_zero_is_idempotent(eas: EasEnv) -> None:
    box = eas.fill(2)
    k1 = sync(eas, box.id, "0").findtext("SyncKey")
    assert sync(eas, box.id, "0").findtext("SyncKey") == k1  # nothing sent yet: same key
    assert len(adds(sync(eas, box.id, k1))) == 2
    k_new = sync(eas, box.id, "0").findtext("SyncKey")  # after items went out: a fresh start
    assert k_new != k1 and sync(eas, box.id, k1).findtext("Status") == "3"
    assert len(adds(sync(eas, box.id, k_new))) == 2


def test_unknown_collection_and_empty_sync(eas: EasEnv) -> None:
    assert sync(eas, 999999, "0").findtext("Status") == "12"
    assert eas.cmd("Sync", None).findtext("Status") == "13"  # empty Sync, nothing cached


def test_client_change_and_delete(eas: EasEnv) -> None:
    box = eas.fill(2)
    key = sync(eas, box.id, "0").findtext("SyncKey")
    col = sync(eas, box.id, key)
    first, second = adds(col)
    change = E("AirSync:Commands",
               E("AirSync:Change", E("AirSync:ServerId", text=first),
                 E("AirSync:ApplicationData", E("Email:Read", text=1))),
               E("AirSync:Delete", E("AirSync:ServerId", text=second)))
    col = sync(eas, box.id, col.findtext("SyncKey"), commands=change)
    assert col.findtext("Status") == "1" and adds(col) == []
    assert eas.uids(box) == [int(first.split(":")[1])]
    (meta,) = eas.store.read(messages.fetch_meta, box.id, eas.uids(box))
    assert "\\Seen" in meta.flags
    assert len(eas.uids(eas.box(special="\\Trash"))) == 1  # deletes are moves to Deleted Items


def estimate(eas: EasEnv, box_id: int, key: str) -> tuple[str, str | None]:
    tree = eas.cmd("GetItemEstimate", E("GetItemEstimate:GetItemEstimate", E("GetItemEstimate:Collections", E(
        "GetItemEstimate:Collection", E("AirSync:SyncKey", text=key),
        E("GetItemEstimate:CollectionId", text=str(box_id))))))
    resp = tree.find("Response")
    col = resp.find("Collection")
    return resp.findtext("Status"), col.findtext("Estimate") if col is not None else None


def test_get_item_estimate(eas: EasEnv) -> None:
    box = eas.fill(7)
    assert estimate(eas, box.id, "0")[0] == "3"  # not primed
    key = sync(eas, box.id, "0").findtext("SyncKey")
    assert estimate(eas, box.id, key) == ("1", "7")
    key = sync(eas, box.id, key, window=4).findtext("SyncKey")
    assert estimate(eas, box.id, key) == ("1", "3")
    assert estimate(eas, box.id, "{00000000-0000-0000-0000-000000000000}9")[0] == "4"
    assert estimate(eas, 999999, key)[0] == "2"


def move(eas: EasEnv, item: str, src: int, dst: int) -> tuple[str, str | None]:
    tree = eas.cmd("MoveItems", E("Move:MoveItems", E("Move:Move", E("Move:SrcMsgId", text=item),
                                                      E("Move:SrcFldId", text=str(src)),
                                                      E("Move:DstFldId", text=str(dst)))))
    resp = tree.find("Response")
    return resp.findtext("Status"), resp.findtext("DstMsgId")


def test_move_statuses(eas: EasEnv) -> None:
    box = eas.fill(1)
    archive = eas.store.write(mailboxes.create_mailbox, eas.account.id, "Archive")
    item = f"{box.id}:{eas.uids(box)[0]}"
    assert move(eas, item, box.id, box.id)[0] == "4"
    assert move(eas, item, box.id, 999999)[0] == "2"
    assert move(eas, "nonsense", box.id, archive.id)[0] == "1"
    status, new_id = move(eas, item, box.id, archive.id)
    assert status == "3" and new_id == f"{archive.id}:{eas.uids(archive)[0]}"
    assert move(eas, item, box.id, archive.id)[0] == "1"  # already gone


def test_moves_into_and_out_of_spam_train(eas: EasEnv) -> None:
    from tests.servers.core.test_training import COLLEAGUE, HAMMY, PROMO, SPAMMY

    inbox, junk = eas.box(), eas.box(special="\\Junk")
    raws = [(f"From: {PROMO}\r\nTo: {eas.account.address}\r\nSubject: WIN {i}\r\n\r\n{SPAMMY} {i}\r\n").encode()
            for i in range(10)]
    raws += [(f"From: {COLLEAGUE}\r\nTo: {eas.account.address}\r\nSubject: work {i}\r\n\r\n{HAMMY} {i}\r\n")
             .encode() for i in range(10)]
    stored = [eas.store.write(messages.ingest, eas.account.id, inbox.id, r) for r in raws]
    for s in stored:  # all into Spam: 20 trained as spam...
        assert move(eas, f"{inbox.id}:{s.uid}", inbox.id, junk.id)[0] == "3"
    trained = eas.store.read(training.state.list_entries, training.SCOPE, eas.account.id, "")
    assert len(trained) == 20 and {e.value for e in trained} == {"spam"}
    for uid in eas.uids(junk)[10:]:  # ...then the colleague's back out: ham
        assert move(eas, f"{junk.id}:{uid}", junk.id, inbox.id)[0] == "3"
    trained = eas.store.read(training.state.list_entries, training.SCOPE, eas.account.id, "")
    assert sorted(e.value for e in trained) == ["ham"] * 10 + ["spam"] * 10
    # Out of Spam into Trash teaches nothing.
    uid = eas.uids(junk)[0]
    assert move(eas, f"{junk.id}:{uid}", junk.id, eas.box(special="\\Trash").id)[0] == "3"
    trained = eas.store.read(training.state.list_entries, training.SCOPE, eas.account.id, "")
    assert sorted(e.value for e in trained) == ["ham"] * 10 + ["spam"] * 10
