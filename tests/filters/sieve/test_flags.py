"""RFC 5232 imap4flags: internal flags, flag variables, hasflag, :flags."""

from __future__ import annotations

from postvak.filters.sieve import FileInto, Keep


def test_rfc5232_example_flag_variable(run) -> None:
    script = r'''require ["fileinto", "imap4flags", "variables"];
if size :over 1K {
    addflag "MyFlags" "Big";
    if header :is "From" "boss@company.example.com" {
        # The message will be marked as "\Flagged Big" when filed into "Big messages"
        addflag "MyFlags" "\\Flagged";
    }
    fileinto :flags "${MyFlags}" "Big messages";
}
if header :is "From" "grandma@example.net" {
    addflag "MyFlags" ["\\Answered", "$MDNSent"];
    fileinto :flags "${MyFlags}" "GrandMa";
}
if header :contains "Subject" "Company" {
    setflag "MyFlags" "\\Seen";
    removeflag "MyFlags" "\\Seen";
    fileinto :flags "${MyFlags}" "Company";
}'''
    plan = run(script, {"From": "boss@company.example.com", "Subject": "Company news"}, body="x" * 2000)
    assert plan.actions == (FileInto("Big messages", frozenset({"Big", "\\Flagged"})), FileInto("Company"))
    plan = run(script, {"From": "grandma@example.net"})
    assert plan.actions == (FileInto("GrandMa", frozenset({"\\Answered", "$MDNSent"})),)


def test_internal_variable_goes_to_implicit_keep(run) -> None:
    plan = run(r'require "imap4flags"; addflag "\\Seen $Work"; addflag "\\seen"; removeflag "$work";')
    assert plan.actions == () and plan.implicit_keep
    assert plan.implicit_flags == frozenset({"\\Seen"})


def test_keep_and_fileinto_take_internal_flags(run) -> None:
    plan = run(r'require ["imap4flags", "fileinto"]; setflag "\\Flagged"; fileinto "a"; keep :flags "x";')
    assert plan.actions == (FileInto("a", frozenset({"\\Flagged"})), Keep(frozenset({"x"})))


def test_hasflag_and_count(run) -> None:
    script = r'''require ["imap4flags", "relational", "comparator-i;ascii-numeric", "fileinto"];
    addflag ["\\Flagged", "$Work"];
    if hasflag :count "ge" :comparator "i;ascii-numeric" "2" { fileinto "two"; }
    if hasflag :contains "work" { fileinto "work"; }
    if hasflag "\\Seen" { fileinto "seen"; }'''
    plan = run(script)
    assert [a.mailbox for a in plan.actions] == ["two", "work"]


def test_initial_flags_from_context(run) -> None:
    plan = run(r'require "imap4flags"; if hasflag "\\Seen" { discard; }', flags=frozenset({"\\Seen"}))
    assert not plan.implicit_keep
