"""SORT / THREAD answers of commands/search.py (evaluation is servers/imap/sort.py, thread.py)."""

from __future__ import annotations

from tests.servers.imap.harness import message


def test_sort_and_esort_and_thread(env) -> None:
    env.deliver(message("banana", msgid="<1@x>"))
    env.deliver(message("apple", msgid="<2@x>"))
    env.deliver(message("Re: banana", msgid="<3@x>", extra="In-Reply-To: <1@x>\r\nReferences: <1@x>\r\n"))
    c = env.client()
    caps = c.cmd("CAPABILITY").untagged[0]
    assert b"SORT" in caps and b"THREAD=REFERENCES" in caps
    c.select()
    assert c.cmd("SORT (SUBJECT) UTF-8 ALL").untagged == [b"* SORT 2 1 3"]
    assert c.cmd("UID SORT (REVERSE SUBJECT) UTF-8 ALL").untagged == [b"* SORT 1 3 2"]
    r = c.cmd("SORT RETURN (COUNT ALL) (SUBJECT) UTF-8 ALL")
    assert r.untagged[0].endswith(b"ALL 2,1,3 COUNT 3")
    r = c.cmd("THREAD REFERENCES UTF-8 ALL")
    assert r.untagged == [b"* THREAD (1 3)(2)"]
