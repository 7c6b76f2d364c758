"""RFC examples for subaddress (5233), body (5173), relational (5231), reject (5429),
copy (3894), mailbox (5490), spamtest/virustest (5235) and vnd.postvak.comment."""

from __future__ import annotations

import pytest

from postvak.filters.sieve import Comment, Discard, Environment, FileInto, Keep, Redirect, Reject

RFC5233 = '''require ["envelope", "subaddress", "fileinto"];
# File all messages to postmaster into a single mailbox, ignoring the :detail part.
if envelope :user "to" "postmaster" {
    fileinto "inbox.postmaster";
    stop;
}
# File mailing list messages (subscribed as "ken+mta-filters").
if envelope :detail "to" "mta-filters" {
    fileinto "inbox.ietf-mta-filters";
}
# Redirect all mail sent to "ken+foo".
if envelope :detail "to" "foo" {
    redirect "ken@example.net";
}'''


@pytest.mark.parametrize(
    "rcpt, expected",
    [
        ("postmaster+spam@example.com", (FileInto("inbox.postmaster"),)),
        ("postmaster@example.com", (FileInto("inbox.postmaster"),)),
        ("ken+mta-filters@example.com", (FileInto("inbox.ietf-mta-filters"),)),
        ("ken+foo@example.com", (Redirect("ken@example.net"),)),
        ("ken@example.com", ()),
    ],
)
def test_rfc5233_subaddress(run, rcpt, expected) -> None:
    assert run(RFC5233, envelope_to=rcpt).actions == expected


def test_subaddress_separator_is_configurable(run) -> None:
    script = 'require ["envelope", "subaddress"]; if envelope :detail "to" "shop" { discard; }'
    assert run(script, envelope_to="a-shop@x.org", env=Environment(separator="-")).actions == (Discard(),)
    assert run(script, envelope_to="a-shop@x.org").actions == ()
    header = 'require "subaddress"; if address :user "to" "first.last" { discard; }'
    assert run(header, {"To": "first.last+shop@example.com"}).actions == (Discard(),)


MULTIPART = (
    b'MIME-Version: 1.0\r\nFrom: a@b.c\r\nTo: me@example.com\r\nSubject: parts\r\n'
    b'Content-Type: multipart/alternative; boundary="XX"\r\n\r\n'
    b'prologue\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    b'VGhlIHByb2plY3Qgc2NoZWR1bGUgaXMgbGF0ZQ==\r\n'
    b'--XX\r\nContent-Type: text/html\r\n\r\n<p>MAKE <b>MONEY</b> FAST</p>\r\n--XX--\r\n'
)


def test_rfc5173_body_transforms(run) -> None:
    raw = 'require "body"; if body :raw :contains "VGhlIHByb2plY3Qg" { discard; }'
    assert run(raw, raw=MULTIPART).actions == (Discard(),)
    text = 'require ["body", "fileinto"]; if body :text :contains "project schedule" { fileinto "project/schedule"; }'
    assert run(text, raw=MULTIPART).actions == (FileInto("project/schedule"),)
    default = 'require "body"; if body :contains "MONEY FAST" { discard; }'
    assert run(default, raw=MULTIPART).actions == ()  # the HTML tags break the phrase up
    content = 'require "body"; if body :content "text/html" :contains "<b>MONEY</b>" { discard; }'
    assert run(content, raw=MULTIPART).actions == (Discard(),)
    plain_only = 'require "body"; if body :content "text/plain" :contains "MONEY" { discard; }'
    assert run(plain_only, raw=MULTIPART).actions == ()
    multi = 'require "body"; if body :content "multipart" :contains "prologue" { discard; }'
    assert run(multi, raw=MULTIPART).actions == (Discard(),)


RFC5231_MSG = [
    ("Received", "from a by b; Tue, 1 Apr 1997 09:06:31 -0800"),
    ("Received", "from c by d; Tue, 1 Apr 1997 09:06:30 -0800"),
    ("Subject", "example"),
    ("To", "foo@example.com, baz@example.com"),
    ("CC", "qux@example.com"),
]
REL = 'require ["relational", "comparator-i;ascii-numeric"]; if %s { discard; }'


@pytest.mark.parametrize(
    "test, result",
    [
        ('address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"]', True),
        ('anyof ( address :count "ge" :comparator "i;ascii-numeric" ["to"] ["3"], '
         'address :count "ge" :comparator "i;ascii-numeric" ["cc"] ["3"] )', False),
        ('header :count "ge" :comparator "i;ascii-numeric" ["received"] ["3"]', False),
        ('header :count "ge" :comparator "i;ascii-numeric" ["received", "subject"] ["3"]', True),
        ('header :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"]', False),
        ('header :value "gt" "subject" "exam"', True),
        ('address :value "lt" :localpart "to" "c"', True),
        ('header :value "ne" :comparator "i;ascii-numeric" "x-priority" "3"', False),
    ],
)
def test_rfc5231_relational(run, test, result) -> None:
    assert bool(run(REL % test, RFC5231_MSG).actions) is result


def test_rfc5231_value_numeric(run) -> None:
    script = REL % 'header :value "lt" :comparator "i;ascii-numeric" ["x-priority"] ["3"]'
    assert run(script, {"X-Priority": "2 (High)"}).actions == (Discard(),)
    assert run(script, {"X-Priority": "5"}).actions == ()


def test_rfc5429_reject_and_ereject(run) -> None:
    script = '''require ["reject"];
if size :over 100K {
    reject text:
Your message is too big.  If you want to send me a big attachment,
put it on a public web site and send me a URL.
.
;
}'''
    plan = run(script, body="x" * 200_000)
    assert plan.actions == (Reject("Your message is too big.  If you want to send me a big attachment,\r\n"
                                   "put it on a public web site and send me a URL.\r\n"),)
    assert not plan.implicit_keep
    ereject = '''require ["ereject"];
if address :is "from" "someone@example.com" { ereject "I no longer accept mail from this address"; }'''
    plan = run(ereject, {"From": "someone@example.com"})
    assert plan.actions == (Reject("I no longer accept mail from this address", extended=True),)


def test_reject_with_fileinto_is_a_runtime_error(run) -> None:
    plan = run('require ["reject", "fileinto"]; fileinto "a"; reject "no";')
    assert plan.errors and plan.actions == () and plan.implicit_keep


def test_rfc3894_copy(run) -> None:
    script = '''require ["copy", "fileinto"];
if header :contains "to" "ietf-mta-filters@imc.org" { fileinto :copy "filter"; }
redirect :copy "other@example.net";'''
    plan = run(script, {"To": "ietf-mta-filters@imc.org"})
    assert plan.actions == (FileInto("filter", copy=True), Redirect("other@example.net", copy=True))
    assert plan.implicit_keep
    assert plan.effective_actions()[-1] == Keep()


def test_rfc5490_mailbox(run) -> None:
    script = '''require ["fileinto", "reject", "mailbox"];
if mailboxexists "Partners" {
   fileinto "Partners";
} else {
   reject "This message was not accepted by the Mailstore";
}'''
    assert run(script, mailbox_exists=lambda n: n == "Partners").actions == (FileInto("Partners"),)
    plan = run(script, mailbox_exists=lambda n: False)
    assert plan.actions == (Reject("This message was not accepted by the Mailstore"),)
    create = 'require ["fileinto", "mailbox"]; fileinto :create "INBOX/new";'
    assert run(create).actions == (FileInto("INBOX/new", create=True),)


SPAM = '''require ["spamtest", "fileinto", "relational", "comparator-i;ascii-numeric"];
if spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "INBOX.unclassified"; }
elsif spamtest :value "ge" :comparator "i;ascii-numeric" "3" { fileinto "INBOX.spam-trap"; }'''
SPAMPLUS = '''require ["spamtestplus", "fileinto", "relational", "comparator-i;ascii-numeric"];
if spamtest :value "eq" :percent :comparator "i;ascii-numeric" "0" { fileinto "INBOX.unclassified"; }
elsif spamtest :value "ge" :percent :comparator "i;ascii-numeric" "50" { fileinto "INBOX.spam-trap"; }'''
VIRUS = '''require ["virustest", "fileinto", "relational", "comparator-i;ascii-numeric"];
if virustest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "INBOX.unclassified"; }
if virustest :value "eq" :comparator "i;ascii-numeric" "4" { fileinto "INBOX.quarantine"; }
elsif virustest :value "eq" :comparator "i;ascii-numeric" "5" { discard; }'''


def test_rfc5235_spamtest(run) -> None:
    assert run(SPAM).actions == (FileInto("INBOX.unclassified"),)
    assert run(SPAM, spam_score=7).actions == (FileInto("INBOX.spam-trap"),)
    assert run(SPAM, spam_score=2).actions == ()
    assert run(SPAMPLUS, spam_percent=75).actions == (FileInto("INBOX.spam-trap"),)
    assert run(SPAMPLUS, spam_percent=10).actions == ()
    assert run(SPAMPLUS).actions == (FileInto("INBOX.unclassified"),)
    assert run(VIRUS).actions == (FileInto("INBOX.unclassified"),)
    assert run(VIRUS, virus_score=4).actions == (FileInto("INBOX.quarantine"),)
    assert run(VIRUS, virus_score=5).actions == (Discard(),)


def test_vendor_comment_keeps_the_message(run) -> None:
    plan = run('require "vnd.postvak.comment"; comment "from the boss";')
    assert plan.actions == (Comment("from the boss"),) and plan.implicit_keep
