"""`postvak sieve`, `postvak filter` and `postvak spam` through the real command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from postvak.config.loader import load_settings
from postvak.servers.core import delivery_spam
from postvak.store import accounts, mailboxes, messages, open_store
from tests.servers.cli.test_admin import POSTVAK, Cli

RULES = """require ["fileinto", "imap4flags"];
# rule:[invoices]
if allof (header :contains "subject" "invoice")
{
\taddflag "$Bill";
\tfileinto "Bills";
}
# rule:[news]
if anyof (header :contains "from" "news@")
{
\tfileinto "News";
\tstop;
}
# rule:[boss]
if allof (header :is "from" "boss@example.test")
{
\taddflag "\\\\Flagged";
}
"""


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    import subprocess

    folder = tmp_path_factory.mktemp("cli")
    proc = subprocess.run(POSTVAK + ["init", str(folder), "--hostname", "mail.example.test"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    c = Cli(folder / "postvak.toml")
    c.ok("domain", "add", "example.test")
    c.ok("user", "add", "u@example.test", "--password-stdin", input="pw-123456789\n")
    yield c


def _store(cli: Cli):  # noqa: ANN202
    s = load_settings(str(cli.config))
    return open_store(s.store.url, blob_backend=s.store.blob_backend, blob_dir=s.store.blob_dir)


def test_sieve_put_get_activate(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "rules.sieve"
    path.write_text(RULES)
    cli.ok("sieve", "put", "u@example.test", "rules", str(path))
    assert cli.ok("sieve", "get", "u@example.test", "rules") == RULES
    cli.ok("sieve", "activate", "u@example.test", "rules")
    assert cli.ok("sieve", "list", "u@example.test").split() == ["*", "rules"]
    bad = cli.fails("sieve", "put", "u@example.test", "bad", input='fileinto "x";\n')
    assert "line 1" in bad and "fileinto" in bad
    assert cli.fails("sieve", "get", "nobody@example.test", "rules") == "postvak: no such user: nobody@example.test"


def test_filter_list_show_disable_move_delete(cli: Cli) -> None:
    cli.ok("sieve", "put", "u@example.test", "rules", "--activate", input=RULES)
    lines = cli.ok("filter", "list", "u@example.test").splitlines()
    assert [line.split()[-1] for line in lines] == ["invoices", "news", "boss"]
    assert "fileinto" not in cli.ok("filter", "show", "u@example.test", "1")
    assert "move 'Bills'" in cli.ok("filter", "show", "u@example.test", "1")
    cli.ok("filter", "disable", "u@example.test", "2")
    assert "off  news" in cli.ok("filter", "list", "u@example.test")
    assert "if false #" in cli.ok("sieve", "get", "u@example.test", "rules")
    cli.ok("filter", "enable", "u@example.test", "2")
    cli.ok("filter", "move", "u@example.test", "3", "1")
    assert cli.ok("filter", "list", "u@example.test").split()[2] == "boss"
    cli.ok("filter", "delete", "u@example.test", "1")
    assert len(cli.ok("filter", "list", "u@example.test").splitlines()) == 2
    assert "no rule 9" in cli.fails("filter", "show", "u@example.test", "9")


def test_filter_apply_refiles_existing_mail(cli: Cli) -> None:
    cli.ok("sieve", "put", "u@example.test", "rules", "--activate", input=RULES)
    store = _store(cli)
    try:
        acct = store.read(accounts.get_account, "u@example.test")
        store.write(mailboxes.create_mailbox, acct.id, "Bills")
        inbox = store.read(mailboxes.get_mailbox, acct.id, "INBOX")
        store.write(messages.ingest, acct.id, inbox.id, b"From: shop@x.test\r\nSubject: invoice 7\r\n\r\npay\r\n")
        store.write(messages.ingest, acct.id, inbox.id, b"From: friend@x.test\r\nSubject: hello\r\n\r\nhi\r\n")
    finally:
        store.close()
    assert "1 moved" in cli.ok("filter", "apply", "u@example.test", "--folder", "INBOX")
    store = _store(cli)
    try:
        bills = store.read(mailboxes.get_mailbox, acct.id, "Bills")
        (meta,) = store.read(messages.snapshot, bills.id).messages
        assert "$Bill" in meta.flags
        assert len(store.read(messages.snapshot, inbox.id).messages) == 1
    finally:
        store.close()


def test_spam_lists_and_training(cli: Cli, tmp_path: Path) -> None:
    assert "spam.test" in cli.ok("spam", "block", "u@example.test", "@spam.test")
    out = cli.ok("spam", "allow", "u@example.test", "Friend@Spam.Test")
    assert "friend@spam.test" in out
    assert "not an address" in cli.fails("spam", "allow", "u@example.test", "nonsense")
    files = []
    for i in range(3):
        p = tmp_path / f"m{i}.eml"
        p.write_bytes(f"From: x@y.test\r\nSubject: offer {i}\r\n\r\ncasino jackpot {i}\r\n".encode())
        files.append(str(p))
    assert "trained 3 message(s) as spam" in cli.ok("spam", "train", "u@example.test", "--spam", *files)
    store = _store(cli)
    try:
        acct = store.read(accounts.get_account, "u@example.test")
        lists = store.read(delivery_spam.lists, acct.id)
        assert lists == {"allow": ("friend@spam.test",), "block": ("@spam.test",)}
        from postvak.filters.spam import loads

        assert loads(store.read(delivery_spam.user_model, acct.id)).nspam == 3
        assert loads(store.read(delivery_spam.global_model)).nspam == 3
    finally:
        store.close()


def test_filter_apply_other_folder_discard_and_errors(cli: Cli) -> None:
    cli.ok("user", "add", "w@example.test", "--password-stdin", input="pw-123456789\n")
    assert "no active filters" in cli.fails("filter", "apply", "w@example.test")
    rules = ('require ["fileinto"];\n# rule:[junk]\nif allof (header :contains "subject" "lottery")\n'
             '{\n\tdiscard;\n}\n# rule:[news]\nif allof (header :contains "from" "news@")\n{\n\tfileinto "News";\n}\n')
    cli.ok("sieve", "put", "w@example.test", "rules", "--activate", input=rules)
    store = _store(cli)
    try:
        acct = store.read(accounts.get_account, "w@example.test")
        store.write(mailboxes.create_mailbox, acct.id, "News")
        old = store.write(mailboxes.create_mailbox, acct.id, "Old")
        for sender, subject in (("x@y.test", "lottery win"), ("news@y.test", "weekly"), ("f@y.test", "hi")):
            store.write(messages.ingest, acct.id, old.id, f"From: {sender}\r\nSubject: {subject}\r\n\r\nx\r\n".encode())
    finally:
        store.close()
    out = cli.ok("filter", "apply", "w@example.test", "--folder", "Old")
    assert "filtered 3 message(s) in Old; 2 moved" in out
    store = _store(cli)
    try:
        count = {name: len(store.read(messages.snapshot, store.read(mailboxes.get_mailbox, acct.id, name).id).messages)
                 for name in ("Old", "News", "Trash", "INBOX")}
        assert count == {"Old": 1, "News": 1, "Trash": 1, "INBOX": 0}  # discard goes to Trash, nothing lost
    finally:
        store.close()
