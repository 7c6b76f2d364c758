"""Responses of commands/search.py: SEARCH, ESEARCH (RFC 4731), SEARCHRES $ (RFC 5182), charsets."""

from __future__ import annotations

from tests.servers.imap.harness import message


def _setup(env):  # noqa: ANN202
    env.deliver(message("apple"))
    env.deliver(message("pear"), flags=frozenset({"\\Seen"}))
    env.deliver(message("plum"))
    c = env.client()
    c.select()
    return c


def test_plain_and_uid_search(env) -> None:
    c = _setup(env)
    assert c.cmd("SEARCH UNSEEN").untagged == [b"* SEARCH 1 3"]
    c.cmd("UID STORE 1 +FLAGS.SILENT (\\Deleted)")
    c.cmd("EXPUNGE")
    assert c.cmd("UID SEARCH UNSEEN").untagged == [b"* SEARCH 3"]
    assert c.cmd("SEARCH UNSEEN").untagged == [b"* SEARCH 2"]


def test_esearch_min_max_count_all(env) -> None:
    c = _setup(env)
    r = c.cmd("SEARCH RETURN (MIN MAX COUNT) ALL")
    assert r.untagged[0].endswith(b"MIN 1 MAX 3 COUNT 3")
    r = c.cmd("UID SEARCH RETURN () UNSEEN")
    assert b" UID ALL 1,3" in r.untagged[0]


def test_searchres_saves_for_later_commands(env) -> None:
    c = _setup(env)
    r = c.cmd("SEARCH RETURN (SAVE) UNSEEN")
    assert r.ok and not r.untagged
    r = c.cmd("FETCH $ (UID)")
    assert [x for x in r.untagged] == [b"* 1 FETCH (UID 1)", b"* 3 FETCH (UID 3)"]


def test_unknown_charset_is_badcharset(env) -> None:
    c = _setup(env)
    r = c.cmd("SEARCH CHARSET KOI8-R ALL")
    assert r.status == "NO" and "[BADCHARSET" in r.text
    assert c.cmd("SEARCH CHARSET UTF-8 SUBJECT plum").ok
