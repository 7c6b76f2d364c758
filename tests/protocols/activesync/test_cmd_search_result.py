"""A Mailbox Search hit built by build_search_result encodes as one Result element."""

from postvak.protocols.activesync import decode, encode
from postvak.protocols.activesync.cmd_search import build_search_response, build_search_result
from postvak.protocols.activesync.element import E


def test_mailbox_hit_is_one_result_element_and_encodes() -> None:
    hit = build_search_result((E("Email:Subject", text="hello"),), class_="Email", long_id="5:7",
                              collection_id="5")
    root = build_search_response(1, 1, results=[hit], range_=(0, 0), total=1)
    decoded = decode(encode(root))
    store = decoded.children[1].children[0]
    results = [c for c in store.children if c.tag == "Search:Result"]
    assert len(results) == 1
    tags = [c.tag for c in results[0].children]
    assert tags[0] == "AirSync:Class" and "Search:Properties" in tags
