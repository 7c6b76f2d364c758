"""Pure pieces of servers/activesync: ids, sync-state ranges and keys, UTF-8
truncation, folder typing, ';' recipient lists."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.servers.activesync import folders, ids, syncstate
from postvak.servers.activesync.mailitem import truncate_utf8
from postvak.servers.activesync.submit import fix_semicolons


def test_ids_round_trip_and_limits():
    assert ids.parse_item(ids.item_id(12, 345)) == ids.ItemId(12, 345)
    assert ids.parse_file_reference(ids.file_reference(1, 2, (3, 1))) == (ids.ItemId(1, 2), (3, 1))
    assert len(ids.item_id(10**17, 2**32)) <= 64
    for bad in ("", "1", "a:b", "1:2:3", "-1:2"):
        with pytest.raises(ids.BadId):
            ids.parse_item(bad)


@given(st.sets(st.integers(1, 5000)))
def test_ranges_round_trip(uids):
    assert syncstate.from_ranges(syncstate.to_ranges(uids)) == uids


def test_sync_keys():
    assert syncstate.parse_key(syncstate.format_key("abc", 7)) == ("abc", 7)
    assert syncstate.parse_key("0") is None and syncstate.parse_key("{x}y") is None


@given(st.text(max_size=50), st.integers(0, 60))
def test_truncation_never_splits_a_character(text, size):
    data = text.encode("utf-8")
    cut, truncated = truncate_utf8(data, size)
    assert len(cut) <= size or not truncated
    assert data.startswith(cut)
    cut.decode("utf-8")  # never raises
    assert truncated == (len(data) > size)


@dataclass
class Box:
    id: int
    name: str
    special_use: str | None = None


def test_exactly_one_default_folder_of_each_type():
    boxes = [Box(1, "INBOX"), Box(2, "Sent", "\\Sent"), Box(3, "Old Sent", "\\Sent"), Box(4, "Trash", "\\Trash"),
             Box(5, "Work"), Box(6, "Work/Project")]
    out = {f.server_id: f for f in folders.to_folders(boxes)}
    assert [f.type for f in out.values()].count(5) == 1
    assert out["1"].type == 2 and out["4"].type == 4 and out["3"].type == 12
    assert out["6"].parent_id == "5" and out["6"].display_name == "Project"


def test_semicolon_recipient_lists():
    raw = b'To: a@x.test; "Doe; J" <j@x.test>;\r\nCc: g: m@x.test;\r\nSubject: s\r\n\r\nbody; here\r\n'
    fixed = fix_semicolons(raw)
    assert fixed.startswith(b'To: a@x.test, "Doe; J" <j@x.test>\r\n')
    assert b"Cc: g: m@x.test;" in fixed and fixed.endswith(b"body; here\r\n")
