"""RFC 6609 include, return and global variables."""

from __future__ import annotations

from postvak.filters.sieve import Discard, FileInto


def loader_for(scripts):
    return lambda name, location: scripts.get((location, name))


def test_rfc6609_example_includes(run) -> None:
    scripts = {
        ("personal", "always_allow"): 'if address :is "from" "boss@example.com" { keep; }',
        ("global", "spam_tests"): 'require "fileinto"; if header :contains "subject" "$$" { fileinto "spam"; }',
        ("personal", "spam_tests"): 'require "fileinto"; if header :contains "subject" "cheap" { fileinto "spam"; }',
        ("personal", "mailing_lists"): 'require "fileinto"; if exists "list-id" { fileinto "lists"; }',
    }
    script = '''require ["include"];
include :personal "always_allow";
include :global "spam_tests";
include :personal "spam_tests";
include :personal "mailing_lists";'''
    plan = run(script, {"Subject": "cheap $$ pills"}, loader=loader_for(scripts))
    assert plan.actions == (FileInto("spam"),)
    plan = run(script, {"From": "boss@example.com", "List-Id": "<x>"}, loader=loader_for(scripts))
    assert [type(a).__name__ for a in plan.actions] == ["Keep", "FileInto"]


def test_rfc6609_global_variables(run) -> None:
    scripts = {("personal", "subject_tests"): '''require ["variables", "include"];
global ["test", "test_mailbox"];
if header :contains "Subject" "${test}" { set "test_mailbox" "spam-${test}"; }'''}
    script = '''require ["variables", "include", "fileinto"];
global "test";
global "test_mailbox";
set "test" "$$";
include "subject_tests";
set "test" "Make money";
include "subject_tests";
fileinto "${test_mailbox}|${global.test}";'''
    plan = run(script, {"Subject": "Make money fast"}, loader=loader_for(scripts))
    assert plan.errors == ()
    assert plan.actions == (FileInto("spam-Make money|Make money"),)


def test_once_optional_missing_and_return(run) -> None:
    scripts = {("personal", "a"): 'require ["include", "fileinto"]; fileinto "a"; return; discard;'}
    ok = 'require "include"; include :once "a"; include :once "a"; include :optional "missing";'
    plan = run(ok, loader=loader_for(scripts))
    assert plan.actions == (FileInto("a"),) and plan.errors == ()
    plan = run('require "include"; include "missing";', loader=loader_for(scripts))
    assert plan.errors and plan.implicit_keep


def test_stop_in_included_script_stops_everything(run) -> None:
    scripts = {("personal", "s"): "stop;"}
    plan = run('require "include"; include "s"; discard;', loader=loader_for(scripts))
    assert plan.actions == () and plan.errors == ()


def test_recursion_is_a_runtime_error(run) -> None:
    scripts = {("personal", "a"): 'require "include"; include "b";',
               ("personal", "b"): 'require "include"; include "a";'}
    plan = run('require "include"; include "a";', loader=loader_for(scripts))
    assert plan.errors and "itself" in plan.errors[0]


def test_syntax_error_in_included_script(run) -> None:
    import pytest

    from postvak.filters.sieve import SieveSyntaxError

    with pytest.raises(SieveSyntaxError) as info:
        run('keep;\nrequire "include";', loader=None)
    assert info.value.line == 2
    with pytest.raises(SieveSyntaxError, match="included script 'bad'") as info:
        run('require "include";\n\ninclude "bad";', loader=lambda n, loc: "frob;")
    assert info.value.line == 3


def test_included_script_has_its_own_requires(run) -> None:
    scripts = {("personal", "d"): "discard;"}
    assert run('require "include"; include "d";', loader=loader_for(scripts)).actions == (Discard(),)
