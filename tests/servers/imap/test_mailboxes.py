"""LIST (LIST-EXTENDED, LIST-STATUS, SPECIAL-USE, CHILDREN), LSUB, CREATE, DELETE, RENAME,
SUBSCRIBE, UNSUBSCRIBE, STATUS."""

from __future__ import annotations

from tests.servers.imap.harness import message


def test_list_shows_system_folders_with_special_use_and_children(env) -> None:
    c = env.client()
    assert c.cmd("CREATE Projects/2024").ok
    r = c.cmd('LIST "" "*"')
    lines = {line.rsplit(b" ", 1)[1]: line for line in r.untagged}
    assert b"\\Sent" in lines[b"Sent"] and b"\\Noinferiors" in lines[b"Sent"]
    assert b"\\Trash" in lines[b"Trash"] and b"\\Junk" in lines[b"Spam"]
    assert b"\\HasChildren" in lines[b"Projects"]
    assert b"\\HasNoChildren" in lines[b"Projects/2024"]
    r = c.cmd('LIST "" "%"')
    assert not r.find("Projects/2024")
    r = c.cmd('LIST "" ""')
    assert r.untagged == [b'* LIST (\\Noselect) "/" ""']
    r = c.cmd('LIST "Projects/" "%"')
    assert [x.rsplit(b" ", 1)[1] for x in r.untagged] == [b"Projects/2024"]


def test_list_extended_special_use_and_status(env) -> None:
    env.deliver(message("a"))
    c = env.client()
    r = c.cmd('LIST (SPECIAL-USE) "" "*"')
    names = sorted(x.rsplit(b" ", 1)[1] for x in r.untagged)
    assert names == [b"Drafts", b"Sent", b"Spam", b"Trash"]
    r = c.cmd('LIST "" "INBOX" RETURN (STATUS (MESSAGES UNSEEN SIZE))')
    assert r.untagged[0].startswith(b"* LIST")
    assert r.untagged[1].startswith(b"* STATUS INBOX (MESSAGES 1 UNSEEN 1 SIZE ")


def test_create_with_use_rename_delete_to_trash(env) -> None:
    c = env.client()
    r = c.cmd("CREATE Archive (USE (\\Archive))")
    assert r.ok
    assert b"\\Archive" in c.cmd('LIST "" Archive').untagged[0]
    assert c.cmd("CREATE Archive").text.startswith("[ALREADYEXISTS]")
    assert c.cmd("CREATE Other (USE (\\Bogus))").text.startswith("[USEATTR]")
    assert c.cmd("CREATE Sent/child").text.startswith("[CANNOT]")
    assert c.cmd("RENAME Archive Old").ok
    assert c.cmd("RENAME Sent Posted").text.startswith("[CANNOT]")
    assert c.cmd("DELETE Old").ok
    names = [x.rsplit(b" ", 1)[1] for x in c.cmd('LIST "" "*"').untagged]
    assert b"Trash/Old" in names and b"Old" not in names
    assert c.cmd("DELETE INBOX").text.startswith("[CANNOT]")
    assert c.cmd("DELETE Nope").text.startswith("[NONEXISTENT]")


def test_overlong_names_get_no_limit(env) -> None:
    c = env.client()
    name = "x" * 1001
    assert c.cmd(f"CREATE {name}").text.startswith("[LIMIT]")
    assert c.cmd("CREATE Short").ok
    assert c.cmd(f"RENAME Short {name}").text.startswith("[LIMIT]")
    assert c.cmd(f'LIST "" {name}').untagged == []
    assert c.cmd("NOOP").ok


def test_subscribe_lsub_and_list_subscribed(env) -> None:
    c = env.client()
    c.cmd("CREATE Lists/python")
    assert c.cmd("UNSUBSCRIBE Lists").ok
    r = c.cmd('LSUB "" "*"')
    names = [x.rsplit(b" ", 1)[1] for x in r.untagged]
    assert b"Lists/python" in names and b"Lists" not in names
    r = c.cmd('LIST (SUBSCRIBED RECURSIVEMATCH) "" "Lists"')
    assert r.untagged and b"CHILDINFO" in r.untagged[0]
    assert c.cmd("SUBSCRIBE Lists").ok
    assert b"\\Subscribed" in c.cmd('LIST "" "Lists" RETURN (SUBSCRIBED)').untagged[0]


def test_status_items_and_missing_mailbox(env) -> None:
    env.deliver(message("a"), flags=frozenset({"\\Seen", "\\Deleted"}))
    env.deliver(message("b"))
    c = env.client()
    r = c.cmd("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN SIZE HIGHESTMODSEQ DELETED RECENT)")
    line = r.untagged[0].decode()
    assert "MESSAGES 2" in line and "UIDNEXT 3" in line and "UNSEEN 1" in line and "DELETED 1" in line
    mb = env.mailbox()
    assert f"HIGHESTMODSEQ {mb.highestmodseq}" in line and f"SIZE {mb.size}" in line
    assert c.cmd("STATUS Nope (MESSAGES)").text.startswith("[NONEXISTENT]")


def test_status_deleted_storage_is_the_size_an_expunge_frees(env) -> None:
    """RFC 9208: QUOTA=RES-STORAGE servers answer STATUS DELETED-STORAGE (sum of RFC822.SIZEs)."""
    big, small = message("a", body="x" * 5000), message("b")
    env.deliver(big, flags=frozenset({"\\Deleted"}))
    env.deliver(small)
    c = env.client()
    line = c.cmd("STATUS INBOX (DELETED DELETED-STORAGE)").untagged[0].decode()
    assert f"DELETED-STORAGE {len(big)}" in line and "DELETED 1" in line
    c.cmd("SELECT INBOX")
    assert c.cmd("UID STORE 2 +FLAGS (\\Deleted)").ok
    line = c.cmd("STATUS INBOX (DELETED-STORAGE)").untagged[0].decode()
    assert f"DELETED-STORAGE {len(big) + len(small)}" in line
    assert c.cmd("EXPUNGE").ok
    assert "DELETED-STORAGE 0" in c.cmd("STATUS INBOX (DELETED-STORAGE)").untagged[0].decode()


def test_utf8_and_modified_utf7_names(env) -> None:
    c = env.client()
    assert c.cmd("CREATE &AMk-t&AOk-").ok  # "Été" in modified UTF-7
    assert any(x.endswith(b"&AMk-t&AOk-") for x in c.cmd('LIST "" "*"').untagged)
    c.cmd("ENABLE UTF8=ACCEPT")
    assert any("Été".encode() in x for x in c.cmd('LIST "" "*"').untagged)
