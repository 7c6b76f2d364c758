"""RFC 5230 vacation, RFC 6131 vacation-seconds, and the RFC 3834 safety rules."""

from __future__ import annotations

import email

import pytest

from postvak.filters.sieve import Environment, Vacation, build_vacation_reply, vacation_key


def test_rfc5230_example_picks_reason(run) -> None:
    script = '''require "vacation";
if header :contains "subject" "cyrus" {
    vacation "I'm out -- send mail to cyrus-bugs";
} else {
    vacation "I'm out -- call me at +1 304 555 0123";
}'''
    plan = run(script, {"From": "a@b.org", "To": "me@example.com", "Subject": "cyrus bug"})
    (v,) = plan.actions
    assert isinstance(v, Vacation)
    assert v.reason == "I'm out -- send mail to cyrus-bugs"
    assert v.seconds == 7 * 86400 and v.sender == "coyote@desert.example.org"
    assert v.recipient == "me@example.com" and plan.implicit_keep


def test_rfc5230_days_addresses_and_handle(run) -> None:
    script = '''require "vacation";
vacation :days 23 :addresses ["tjs@example.edu", "ts4z@landru.example.edu"]
   :handle "away" :subject "Away" :from "tjs@example.edu"
   "I'm away until October 19.  If it's an emergency, call 911, I guess." ;'''
    h = {"From": "a@b.org", "To": "ts4z@landru.example.edu"}
    (v,) = run(script, h, envelope_to="tjs@example.edu").actions
    assert (v.seconds, v.handle, v.subject, v.from_) == (23 * 86400, "away", "Away", "tjs@example.edu")
    assert v.addresses == ("tjs@example.edu", "ts4z@landru.example.edu")


def test_rfc6131_seconds(run) -> None:
    script = '''require ["vacation-seconds"];
vacation :addresses ["tjs@example.edu", "ts4z@landru.example.edu"]
         :seconds 1800
         "I am in a meeting, and do not have access to email.";'''
    (v,) = run(script, {"To": "tjs@example.edu"}).actions
    assert v.seconds == 1800


@pytest.mark.parametrize(
    "headers, sender",
    [
        ({"To": "me@example.com", "List-Id": "<l.example.org>"}, "a@b.org"),
        ({"To": "me@example.com", "Precedence": "bulk"}, "a@b.org"),
        ({"To": "me@example.com", "Auto-Submitted": "auto-replied"}, "a@b.org"),
        ({"To": "me@example.com"}, ""),
        ({"To": "me@example.com"}, "MAILER-DAEMON@b.org"),
        ({"To": "me@example.com"}, "owner-list@b.org"),
        ({"To": "me@example.com"}, "list-request@b.org"),
        ({"To": "me@example.com"}, "me@example.com"),
        ({"To": "someone-else@example.com"}, "a@b.org"),
    ],
)
def test_no_reply_when_unsafe(run, headers, sender) -> None:
    plan = run('require "vacation"; vacation "away";', headers, envelope_from=sender)
    assert plan.actions == () and plan.implicit_keep and plan.errors == ()


def test_reply_to_plus_address_and_user_addresses(run) -> None:
    s = 'require "vacation"; vacation "away";'
    assert run(s, {"To": "me@example.com", "Auto-Submitted": "no"}, envelope_to="me+x@example.com").actions
    env = Environment(user_addresses=("alias@example.com",))
    assert run(s, {"Cc": "alias@example.com"}, env=env).actions


def test_days_clamped_by_environment(run) -> None:
    env = Environment(vacation_min_seconds=2 * 86400, vacation_max_seconds=10 * 86400)
    (v,) = run('require "vacation"; vacation :days 1 "x";', env=env).actions
    assert v.seconds == 2 * 86400
    (v,) = run('require "vacation"; vacation :days 90 "x";', env=env).actions
    assert v.seconds == 10 * 86400


def test_vacation_key_is_per_handle_and_sender() -> None:
    assert vacation_key("h", "A@B.org") == vacation_key("h", "a@b.org")
    assert vacation_key("h", "a@b.org") != vacation_key("g", "a@b.org")


def test_default_handle_depends_on_reason(run) -> None:
    (a,) = run('require "vacation"; vacation "one";').actions
    (b,) = run('require "vacation"; vacation "two";').actions
    assert a.handle != b.handle


def test_build_reply() -> None:
    action = Vacation("h", 86400, None, None, (), "I'm away.", False, "me@example.com", "a@b.org")
    raw = build_vacation_reply(action, {"Subject": "Lunch?", "Message-ID": "<1@b.org>", "References": "<0@b.org>"})
    msg = email.message_from_bytes(raw)
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["Subject"] == "Auto: Lunch?"
    assert msg["To"] == "a@b.org" and msg["From"] == "me@example.com"
    assert msg["In-Reply-To"] == "<1@b.org>" and msg["References"] == "<0@b.org> <1@b.org>"
    assert "I'm away." in msg.get_payload()
    assert b"\r\n" in raw


def test_build_mime_reply() -> None:
    reason = "Content-Type: text/html; charset=us-ascii\r\n\r\n<p>Away</p>\r\n"
    action = Vacation("h", 86400, "Out", "boss@example.com", (), reason, True, "me@example.com", "a@b.org")
    msg = email.message_from_bytes(build_vacation_reply(action, {}))
    assert msg.get_content_type() == "text/html" and msg["Subject"] == "Out"
    assert msg["From"] == "boss@example.com" and "<p>Away</p>" in msg.get_payload()
