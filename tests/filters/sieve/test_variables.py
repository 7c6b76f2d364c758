"""RFC 5229 variables: examples of sections 3, 3.2, 4.1 and 5."""

from __future__ import annotations

import pytest

from postvak.filters.sieve import FileInto, Keep

SET = 'require ["variables", "fileinto"];\nset "a" "juMBlEd lETteRS";\n'


@pytest.mark.parametrize(
    "line, expected",
    [
        ('set "b" "${a}";', "juMBlEd lETteRS"),
        ('set :length "b" "${a}";', "15"),
        ('set :lower "b" "${a}";', "jumbled letters"),
        ('set :upperfirst "b" "${a}";', "JuMBlEd lETteRS"),
        ('set :upperfirst :lower "b" "${a}";', "Jumbled letters"),
        ('set :quotewildcard "b" "Rock*";', "Rock\\*"),
        ('set :length :upper "b" "abc";', "3"),
    ],
)
def test_rfc5229_4_1_modifiers(run, line, expected) -> None:
    plan = run(SET + line + '\nfileinto "${b}";')
    assert plan.actions == (FileInto(expected),)


def test_rfc5229_3_expansion_is_case_insensitive_and_single_pass(run) -> None:
    script = '''require ["variables", "fileinto"];
set "honorific"  "Mr";
set "first_name" "Wile";
set "last_name"  "Coyote";
set "vacation" text:
Dear ${HONORIFIC} ${last_name},
I'm out, please leave a message after the meep.
.
;
set "x" "$${first_name}{unknown}${bad";
fileinto "${vacation}|${x}";'''
    plan = run(script)
    text = "Dear Mr Coyote,\r\nI'm out, please leave a message after the meep.\r\n"
    assert plan.actions == (FileInto(text + "|$Wile{unknown}${bad"),)


RFC5229_3_2 = '''require ["fileinto", "variables"];
if header :matches "List-ID" "*<*@*" {
    fileinto "INBOX.lists.${2}"; stop;
}
# Imagine the header
# Subject: [acme-users] [fwd] version 1.0 is out
if header :matches "Subject" "[*] *" {
    # ${1} will hold "acme-users",
    # ${2} will hold "[fwd] version 1.0 is out"
    fileinto "INBOX.lists.${1}"; stop;
}
# Imagine the header
# To: coyote@ACME.Example.COM
if address :matches ["To", "Cc"] ["coyote@**.com",
        "wile@**.com"] {
    # ${0} is the matching address
    # ${1} is always the empty string
    # ${2} is part of the domain name ("ACME.Example")
    fileinto "INBOX.business.${2}|${0}|${1}"; stop;
} else {
    # Control wouldn't reach this block if any match was
    # successful, so no match variables are set at this
    # point.
}
if anyof (true, address :domain :matches "To" "*.com") {
    # The second test is never evaluated, so there are
    # still no match variables set.
    fileinto "none:${1}"; stop;
}
'''


@pytest.mark.parametrize(
    "headers, mailbox",
    [
        ({"List-ID": "Acme users <acme-users@lists.example.com>"}, "INBOX.lists.acme-users"),
        ({"Subject": "[acme-users] [fwd] version 1.0 is out"}, "INBOX.lists.acme-users"),
        ({"To": "coyote@ACME.Example.COM"}, "INBOX.business.ACME.Example|coyote@ACME.Example.COM|"),
        ({"To": "someone@example.org"}, "none:"),
    ],
)
def test_rfc5229_3_2_match_variables(run, headers, mailbox) -> None:
    assert run(RFC5229_3_2, headers).actions == (FileInto(mailbox),)


def test_rfc5229_5_string_test(run) -> None:
    script = '''require ["variables", "fileinto"];
set "state" "${state} pending";
if string :matches " ${state} " "* pending *" { fileinto "ok"; }'''
    assert run(script).actions == (FileInto("ok"),)


def test_string_count_ignores_empty(run) -> None:
    script = '''require ["variables", "relational", "comparator-i;ascii-numeric"];
if string :count "eq" :comparator "i;ascii-numeric" ["a", "", "b"] "2" { keep; }'''
    assert run(script).actions == (Keep(),)


def test_match_variables_keep_values_after_failed_match(run) -> None:
    script = '''require ["variables", "fileinto"];
if header :matches "subject" "F*" { }
if header :matches "subject" "X*" { }
fileinto "${1}";'''
    assert run(script).actions == (FileInto("robnitz"),)
