"""The delivery pipeline (spam -> Sieve -> store) on a real store and StoreRunner:
Spam folder, GTUBE, Sieve actions carried out, vacation memory, loop protection."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from postvak.servers.core.context import ServerContext
from postvak.servers.core.delivery import OK, REJECTED, Delivery
from postvak.servers.core.logs import EventLogger
from postvak.servers.core.runner import StoreRunner
from postvak.store import accounts, mailboxes, messages, open_store, queue
from postvak.store import sieve as store_sieve

GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def mail(sender: str = "a@remote.test", to: str = "u@example.test", subject: str = "hello", body: str = "hi there",
         extra: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Mon, 3 Jun 2024 10:00:00 +0000\r\n"
            f"Message-ID: <{hashlib.sha1((sender + subject + body).encode()).hexdigest()[:16]}@remote.test>\r\n{extra}\r\n{body}\r\n").encode()


class Env:
    def __init__(self, tmp: Path) -> None:
        self.store = open_store(f"sqlite:///{tmp}/s.db", blob_dir=str(tmp / "blobs"))
        self.store.migrate()
        self.store.write(accounts.add_domain, "example.test")
        self.u = self.store.write(accounts.add_account, "u@example.test", "x")
        self.v = self.store.write(accounts.add_account, "v@example.test", "x")
        self.loop = asyncio.new_event_loop()
        self.runner = StoreRunner(self.store, self.loop)
        self.log = EventLogger()
        ctx = ServerContext(settings=None, store=self.store, runner=self.runner, auth=None, changes=None, tls=None,
                            log=self.log, loop=self.loop, hostname="mx.example.test")
        self.delivery = Delivery(ctx)

    def script(self, text: str, address: str = "u@example.test") -> None:
        acct = self.store.read(accounts.get_account, address)
        self.store.write(store_sieve.put_script, acct.id, "main", text)
        self.store.write(store_sieve.activate, acct.id, "main")

    def deliver(self, raw: bytes, to: str = "u@example.test", sender: str = "a@remote.test", source: str = "smtp"):
        rcpts = self.store.read(accounts.resolve_recipient, to)
        return self.loop.run_until_complete(self.delivery.deliver_all(sender, rcpts, raw, source=source))

    def box(self, name: str, address: str = "u@example.test", special: str | None = None) -> list[bytes]:
        acct = self.store.read(accounts.get_account, address)
        if special:
            mb = self.store.read(mailboxes.get_special, acct.id, special)
        else:
            mb = self.store.read(mailboxes.find_mailbox, acct.id, name)
            if mb is None:
                return []
        snap = self.store.read(messages.snapshot, mb.id)
        metas = self.store.read(messages.fetch_meta, mb.id, [m.uid for m in snap.messages])
        self.metas = metas
        return [self.store.blobs.open(m.blob_sha).read() for m in metas]

    def queued(self) -> list[tuple[str, tuple[str, ...], bytes]]:
        items = self.store.read(queue.list_queue)
        return [(i.sender, tuple(r.address for r in i.recipients), self.store.blobs.open(i.blob_sha).read())
                for i in items]

    def close(self) -> None:
        self.runner.close()
        self.loop.close()
        self.store.close()


@pytest.fixture()
def env(tmp_path: Path):
    e = Env(tmp_path)
    try:
        yield e
    finally:
        e.close()


def test_plain_message_gets_verdict_headers_and_inbox(env: Env) -> None:
    env.deliver(mail())
    (stored,) = env.box("INBOX")
    assert stored.startswith(b"X-Spam-Status: No, score=")
    assert b"\r\nX-Spam-Score: " in stored


def test_gtube_goes_to_spam_folder(env: Env) -> None:
    env.deliver(mail(body=GTUBE))
    assert env.box("INBOX") == []
    (stored,) = env.box("", special="\\Junk")
    assert stored.startswith(b"X-Spam-Status: Yes") and b"GTUBE" in stored


def test_sieve_overrides_spam_folder(env: Env) -> None:
    env.script('require "fileinto";\nif header :contains "subject" "keepme" { fileinto "INBOX"; }\n')
    env.deliver(mail(subject="keepme", body=GTUBE))
    assert len(env.box("INBOX")) == 1


def test_fileinto_create_tags_and_comment(env: Env) -> None:
    env.script('require ["fileinto", "mailbox", "imap4flags", "vnd.postvak.comment"];\n'
               'if header :contains "subject" "invoice" {\n'
               '  addflag "$Bills"; comment "pay by Friday"; fileinto :create "Bills/2024"; stop; }\n')
    env.deliver(mail(subject="invoice 42"))
    assert env.box("INBOX") == []
    assert len(env.box("Bills/2024")) == 1
    (meta,) = env.metas
    assert "$Bills" in meta.flags and meta.annotation == "pay by Friday"


def test_fileinto_missing_folder_without_create_keeps_in_inbox(env: Env) -> None:
    env.script('require "fileinto";\nfileinto "Nowhere";\n')
    env.deliver(mail())
    assert len(env.box("INBOX")) == 1


def test_discard(env: Env) -> None:
    env.script("discard;\n")
    outcome = env.deliver(mail())
    assert [r.status for r in outcome.results] == [OK]
    assert env.box("INBOX") == []


def test_runtime_error_is_implicit_keep(env: Env) -> None:
    redirects = "".join(f'redirect :copy "r{i}@remote.test";\n' for i in range(10))
    env.script('require "copy";\n' + redirects)
    env.deliver(mail())
    assert len(env.box("INBOX")) == 1
    assert env.queued() == []  # nothing half-done went out


def test_reject_at_smtp_time_and_bounce_later(env: Env) -> None:
    env.script('require "reject";\nreject "no thanks";\n')
    outcome = env.deliver(mail())
    assert [(r.status, r.detail) for r in outcome.results] == [(REJECTED, "no thanks")]
    assert env.box("INBOX") == [] and env.queued() == []
    env.deliver(mail(), source="fetch")  # no SMTP session to refuse in: a DSN to the sender
    ((sender, to, raw),) = env.queued()
    assert sender == "" and to == ("a@remote.test",)
    assert b"multipart/report" in raw and b"5.7.1" in raw and b"no thanks" in raw


def test_redirect_remote_queued_and_local_delivered(env: Env) -> None:
    env.script('redirect "fwd@remote.test";\n')
    env.deliver(mail())
    assert env.box("INBOX") == []
    ((sender, to, raw),) = env.queued()
    assert sender == "a@remote.test" and to == ("fwd@remote.test",)
    assert raw.startswith(b"Delivered-To: u@example.test\r\n")
    env.script('require "copy";\nredirect :copy "v@example.test";\n')
    env.deliver(mail(subject="second"))
    assert len(env.box("INBOX")) == 1
    assert len(env.box("INBOX", "v@example.test")) == 1


def test_redirect_loop_protection(env: Env) -> None:
    env.script('redirect "fwd@remote.test";\n')
    env.deliver(mail(extra="Delivered-To: u@example.test\r\n"))
    assert env.queued() == []
    assert len(env.box("INBOX")) == 1  # kept instead: nothing lost
    hops = "".join(f"Received: from h{i} by h{i + 1}; Mon, 3 Jun 2024 10:00:00 +0000\r\n" for i in range(30))
    env.deliver(mail(subject="hops", extra=hops))
    assert env.queued() == []


def test_spam_never_forwarded(env: Env) -> None:
    env.script('redirect "fwd@remote.test";\n')
    env.deliver(mail(body=GTUBE))
    assert env.queued() == []
    assert len(env.box("", special="\\Junk")) == 1


VACATION = 'require "vacation";\nvacation :days 7 :subject "Away" "I am away until Monday.";\n'


def test_vacation_once_per_sender_per_period(env: Env) -> None:
    env.script(VACATION)
    env.deliver(mail(subject="one"))
    env.deliver(mail(subject="two"))
    replies = env.queued()
    assert len(replies) == 1
    sender, to, raw = replies[0]
    assert sender == "" and to == ("a@remote.test",)
    assert b"Auto-Submitted: auto-replied" in raw and b"Subject: Away" in raw and b"I am away" in raw
    env.deliver(mail(sender="b@remote.test", subject="three"), sender="b@remote.test")
    assert len(env.queued()) == 2
    assert len(env.box("INBOX")) == 3  # vacation keeps the message too


def test_vacation_not_to_lists_bounces_or_spam(env: Env) -> None:
    env.script(VACATION)
    env.deliver(mail(extra="List-Id: <dev.lists.remote.test>\r\n"))
    env.deliver(mail(subject="auto", extra="Auto-Submitted: auto-generated\r\n"))
    env.deliver(mail(subject="bounce"), sender="")
    env.deliver(mail(sender="c@remote.test", body=GTUBE), sender="c@remote.test")
    assert env.queued() == []


def test_vacation_reply_to_local_sender_lands_in_inbox(env: Env) -> None:
    env.script(VACATION)
    env.deliver(mail(sender="v@example.test"), sender="v@example.test")
    replies = env.box("INBOX", "v@example.test")
    assert len(replies) == 1 and b"Subject: Away" in replies[0]


def test_vacation_between_dates(env: Env) -> None:
    env.script('require ["vacation", "date", "relational"];\n'
               'if allof (currentdate :value "ge" "date" "2030-01-01", currentdate :value "le" "date" "2030-01-31")\n'
               '{ vacation :days 1 "Skiing."; }\n')
    env.delivery.clock = lambda: datetime(2029, 12, 20, tzinfo=UTC)
    env.deliver(mail(subject="before"))
    assert env.queued() == []
    env.delivery.clock = lambda: datetime(2030, 1, 10, tzinfo=UTC)
    env.deliver(mail(subject="during"))
    assert len(env.queued()) == 1
    env.delivery.clock = lambda: datetime(2030, 2, 10, tzinfo=UTC)
    env.deliver(mail(sender="d@remote.test", subject="after"), sender="d@remote.test")
    assert len(env.queued()) == 1


def test_spamtest_visible_to_sieve(env: Env) -> None:
    env.script('require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto"];\n'
               'if spamtest :value "ge" :comparator "i;ascii-numeric" "10" { fileinto "Trash"; }\n')
    env.deliver(mail(body=GTUBE))
    assert len(env.box("Trash")) == 1


def test_inputs_without_script_read_only_spam_state(env: Env) -> None:
    """load_inputs skips the Sieve-only reads when no script is active; the spam state
    it reads in one query is what the per-key reads return."""
    from postvak.servers.core import delivery_spam, pipeline

    acct = env.u.id
    env.store.write(delivery_spam.add_to_list, acct, "allow", "Friend@Remote.test")
    env.store.write(delivery_spam.add_to_list, acct, "block", "@spam.test")
    env.store.write(delivery_spam.train, acct, mail(subject="cheap pills"), True)
    plain = env.store.read(pipeline.load_inputs, acct)
    lists = env.store.read(delivery_spam.lists, acct)
    assert plain.user_model == env.store.read(delivery_spam.user_model, acct) and plain.user_model
    assert (plain.allow, plain.block) == (lists["allow"], lists["block"]) == (("friend@remote.test",), ("@spam.test",))
    assert plain.script is None and plain.addresses == () and plain.mailbox_names == frozenset()
    assert env.store.read(delivery_spam.account_state, env.v.id) == (None, (), ())
    env.script("keep;")
    scripted = env.store.read(pipeline.load_inputs, acct)
    assert scripted.script == "keep;" and scripted.addresses[0] == "u@example.test" and "inbox" in scripted.mailbox_names
    assert (scripted.user_model, scripted.allow, scripted.block) == (plain.user_model, plain.allow, plain.block)


def test_loaded_models_are_cached_by_content(env: Env) -> None:
    from postvak.servers.core import delivery_spam, pipeline

    env.store.write(delivery_spam.train, env.u.id, mail(subject="cheap pills"), True)
    first = env.store.read(delivery_spam.user_model, env.u.id)
    assert first is not None and pipeline._model(first) is pipeline._model(bytes(first))
    env.store.write(delivery_spam.train, env.u.id, mail(subject="lunch at noon"), False)
    second = env.store.read(delivery_spam.user_model, env.u.id)
    assert pipeline._model(second) is not pipeline._model(first)  # trained: new bytes, new model
    assert (pipeline._model(second).nspam, pipeline._model(second).nham) == (1, 1)
    assert pipeline._model(b"not a model at all, damaged") is None and pipeline._model(None) is None
