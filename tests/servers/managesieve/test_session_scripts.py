"""PUTSCRIPT, CHECKSCRIPT, LISTSCRIPTS, SETACTIVE, GETSCRIPT, DELETESCRIPT,
RENAMESCRIPT (RFC 5804 2.6-2.12) through a fake SessionIO and a real store."""

from __future__ import annotations

from postvak.store import sieve as store_sieve
from tests.servers.managesieve.harness import Env, env  # noqa: F401

FILTER = 'require ["fileinto"];\nif header :contains "subject" "invoice" { fileinto "Bills"; }\n'


def test_put_list_activate_get(env: Env) -> None:
    c = env.client()
    assert c.scripts() == []
    assert c.put("main", FILTER).ok
    assert c.put("spare", "keep;\n").ok
    assert c.scripts() == [("main", False), ("spare", False)]
    assert c.cmd('SETACTIVE "main"').ok
    assert c.scripts() == [("main", True), ("spare", False)]
    reply = c.cmd('GETSCRIPT "main"')
    assert reply.ok and reply.lines == [b"{%d}\r\n" % len(FILTER) + FILTER.encode()]
    active = env.store.read(store_sieve.active_script, env.account.id)
    assert active.name == "main" and active.content == FILTER


def test_put_replaces_and_invalid_is_refused_with_the_line(env: Env) -> None:
    c = env.client()
    assert c.put("main", "keep;\n").ok
    reply = c.put("main", 'require "fileinto";\n\nfileinto;\n')
    assert reply.status == "NO" and "line 3" in reply.text
    assert c.put("main", FILTER).ok
    assert env.store.read(store_sieve.get_script, env.account.id, "main").content == FILTER
    reply = c.put("bad", b"keep;\xff\n")
    assert reply.status == "NO" and "UTF-8" in reply.text


def test_checkscript_stores_nothing(env: Env) -> None:
    c = env.client()
    assert c.check(FILTER).ok
    reply = c.check('fileinto "x";\n')  # fileinto without require
    assert reply.status == "NO" and "line 1" in reply.text
    assert c.scripts() == []


def test_include_may_name_a_script_uploaded_later(env: Env) -> None:
    # RFC 6609 3.2: a missing included script is a run-time failure, so editors can
    # upload in any order; the including script itself is still syntax-checked.
    c = env.client()
    main = 'require "include";\ninclude :personal "helpers";\n'
    assert c.put("main", main).ok
    assert c.put("helpers", "keep;\n").ok
    assert c.put("broken", 'require "include";\ninclude :personal;\n').status == "NO"


def test_setactive_unknown_and_deactivate(env: Env) -> None:
    c = env.client()
    reply = c.cmd('SETACTIVE "ghost"')
    assert reply.status == "NO" and reply.has("NONEXISTENT")
    c.put("main", "keep;\n")
    c.cmd('SETACTIVE "main"')
    assert c.cmd('SETACTIVE ""').ok  # RFC 5804 2.8: no script active
    assert c.scripts() == [("main", False)]
    assert env.store.read(store_sieve.active_script, env.account.id) is None


def test_getscript_unknown(env: Env) -> None:
    reply = env.client().cmd('GETSCRIPT "ghost"')
    assert reply.status == "NO" and reply.has("NONEXISTENT")


def test_delete_refuses_the_active_script(env: Env) -> None:
    c = env.client()
    c.put("main", "keep;\n")
    c.put("old", "keep;\n")
    c.cmd('SETACTIVE "main"')
    reply = c.cmd('DELETESCRIPT "main"')
    assert reply.status == "NO" and reply.has("ACTIVE")
    assert c.cmd('DELETESCRIPT "old"').ok
    reply = c.cmd('DELETESCRIPT "old"')
    assert reply.status == "NO" and reply.has("NONEXISTENT")
    assert c.scripts() == [("main", True)]


def test_rename(env: Env) -> None:
    c = env.client()
    c.put("a", "keep;\n")
    c.put("b", "discard;\n")
    c.cmd('SETACTIVE "a"')
    reply = c.cmd('RENAMESCRIPT "a" "b"')
    assert reply.status == "NO" and reply.has("ALREADYEXISTS")
    reply = c.cmd('RENAMESCRIPT "ghost" "c"')
    assert reply.status == "NO" and reply.has("NONEXISTENT")
    assert c.cmd('RENAMESCRIPT "a" "c"').ok
    assert c.scripts() == [("b", False), ("c", True)]  # the active flag moves with it


def test_pipelined_commands_keep_their_order(env: Env) -> None:
    c = env.client()
    c.send(b'PUTSCRIPT "one" {6+}\r\nkeep;\n\r\nSETACTIVE "one"\r\nDELETESCRIPT "one"\r\nLISTSCRIPTS\r\n')
    assert c.read().ok
    assert c.read().ok
    assert c.read().has("ACTIVE")
    listing = c.read()
    assert listing.ok and listing.lines == [b'"one" ACTIVE']


def test_scripts_are_per_owner(env: Env) -> None:
    from postvak.servers.core.auth import hash_password
    from postvak.store import accounts

    env.store.write(accounts.add_account, "bob@example.test", hash_password("bob-secret-1"))
    alice = env.client()
    alice.put("mine", "keep;\n")
    bob = env.client(login=False)
    bob.login("bob@example.test", "bob-secret-1")
    assert bob.scripts() == []
    assert bob.cmd('GETSCRIPT "mine"').status == "NO"
    assert bob.cmd('DELETESCRIPT "mine"').status == "NO"
    assert alice.scripts() == [("mine", False)]
