"""RFC 5228: the base language, its section 9 example and the smaller examples."""

from __future__ import annotations

import pytest

from postvak.filters.sieve import Discard, FileInto, Keep, Redirect

RFC5228_EXAMPLE = r'''#
# Example Sieve Filter
# Declare any optional features or extension used by the script
#
require ["fileinto"];

#
# Handle messages from known mailing lists
# Move messages from IETF filter discussion list to filter mailbox
#
if header :is "Sender" "owner-ietf-mta-filters@imc.org"
        {
        fileinto "filter";  # move to "filter" mailbox
        }
#
# Keep all messages to or from people in my company
#
elsif address :DOMAIN :is ["From", "To"] "example.com"
        {
        keep;               # keep in "In" mailbox
        }

#
# Try and catch unsolicited email.  If a message is not to me,
# or it contains a subject known to be spam, file it away.
#
elsif anyof (NOT address :all :contains
               ["To", "Cc", "Bcc"] "me@example.com",
             header :matches "subject"
               ["*make*money*fast*", "*university*dipl*mas*"])
        {
        fileinto "spam";   # move to "spam" mailbox
        }
else
        {
        # Move all other (non-company) mail to "personal"
        # mailbox.
        fileinto "personal";
        }
'''


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({"Sender": "owner-ietf-mta-filters@imc.org", "From": "x@y.org", "To": "me@example.com"},
         (FileInto("filter"),)),
        ({"From": "boss@example.com", "To": "me@other.org"}, (Keep(),)),
        ({"From": "a@b.org", "To": "you@other.org"}, (FileInto("spam"),)),
        ({"From": "a@b.org", "To": "z@b.org", "Cc": "me@example.com", "Subject": "MAKE lots of MONEY FAST"},
         (FileInto("spam"),)),
        ({"From": "friend@b.org", "Cc": "me@example.com", "To": "z@b.org", "Subject": "Dinner"},
         (FileInto("personal"),)),
    ],
)
def test_rfc5228_section9_example(run, headers, expected) -> None:
    plan = run(RFC5228_EXAMPLE, headers)
    assert plan.errors == ()
    assert plan.actions == expected
    assert plan.implicit_keep is False


def test_empty_script_is_implicit_keep(run) -> None:
    plan = run("")
    assert plan.actions == () and plan.implicit_keep
    assert plan.effective_actions() == (Keep(),)


def test_if_elsif_else_rfc5228_3_1(run) -> None:
    script = '''
    if header :contains ["From"] ["coyote"] {
       redirect "acm@example.com";
    } elsif header :contains "Subject" "$$$" {
       redirect "postmaster@example.com";
    } else {
       redirect "field@example.com";
    }'''
    assert run(script).actions == (Redirect("acm@example.com"),)
    assert run(script, {"From": "a@b.c", "Subject": "win $$$"}).actions == (Redirect("postmaster@example.com"),)
    assert run(script, {"From": "a@b.c", "Subject": "hi"}).actions == (Redirect("field@example.com"),)


def test_stop_ends_evaluation(run) -> None:
    plan = run('if true { stop; } discard;')
    assert plan.actions == () and plan.implicit_keep


def test_discard_cancels_implicit_keep(run) -> None:
    plan = run('if size :over 1K { discard; }', body="x" * 2000)
    assert plan.actions == (Discard(),) and not plan.implicit_keep
    assert run('if size :over 1K { discard; }').actions == ()


def test_size_quantifiers_and_under(run) -> None:
    assert run('if size :under 1M { discard; }').actions == (Discard(),)
    assert run('if size :over 500K { discard; }').actions == ()


def test_exists_needs_all_headers(run) -> None:
    assert run('if exists ["From", "Date"] { discard; }').actions == (Discard(),)
    assert run('if exists ["From", "X-Nope"] { discard; }').actions == ()


def test_header_is_case_insensitive_by_default_and_octet_not(run) -> None:
    assert run('if header :is "subject" "FROBNITZ" { discard; }').actions == (Discard(),)
    script = 'if header :comparator "i;octet" :is "subject" "FROBNITZ" { discard; }'
    assert run(script).actions == ()


def test_header_decodes_rfc2047(run) -> None:
    plan = run('if header :contains "subject" "Grüße" { discard; }',
               {"Subject": "=?utf-8?q?Gr=C3=BC=C3=9Fe_aus_Berlin?="})
    assert plan.actions == (Discard(),)


def test_matches_wildcards_and_escapes(run) -> None:
    assert run(r'if header :matches "subject" "Fr?bn*" { discard; }').actions == (Discard(),)
    assert run(r'if header :matches "subject" "Fr\\?bnitz" { discard; }').actions == ()
    assert run(r'if header :matches "subject" "Fr\\?bnitz" { discard; }', {"Subject": "Fr?bnitz"}).actions \
        == (Discard(),)


def test_address_parts(run) -> None:
    h = {"From": '"Wile E." <Coyote@Desert.Example.org>', "To": "me@example.com"}
    assert run('if address :localpart :is "from" "coyote" { discard; }', h).actions == (Discard(),)
    assert run('if address :domain :is "from" "desert.example.org" { discard; }', h).actions == (Discard(),)
    assert run('if address :all :is "from" "coyote@desert.example.org" { discard; }', h).actions == (Discard(),)
    assert run('if address :is "from" "Wile E." { discard; }', h).actions == ()


def test_envelope(run) -> None:
    script = 'require "envelope"; if envelope :domain :is "from" "desert.example.org" { discard; }'
    assert run(script).actions == (Discard(),)
    null = 'require "envelope"; if envelope :all :is "from" "" { discard; }'
    assert run(null, envelope_from="").actions == (Discard(),)


def test_not_allof_anyof(run) -> None:
    assert run('if not false { discard; }').actions == (Discard(),)
    assert run('if allof (true, false) { discard; }').actions == ()
    assert run('if anyof (false, true) { discard; }').actions == (Discard(),)


def test_ascii_numeric_comparator(run) -> None:
    script = '''require "comparator-i;ascii-numeric";
    if header :is :comparator "i;ascii-numeric" "X-Count" "0010" { discard; }'''
    assert run(script, {"X-Count": "10"}).actions == (Discard(),)
    # RFC 4790 9.1: no leading digit is positive infinity; two infinities are equal
    assert run(script.replace("0010", "abc"), {"X-Count": "xyz"}).actions == (Discard(),)


def test_multiline_and_comments(run) -> None:
    script = '''require "fileinto"; /* a bracket
    comment */ if header :is "subject" text: # a comment
Frobnitz
.
 { fileinto text:
..dotted
.
; }'''
    # a text: string ends with CRLF, so the header test fails; the value is kept exact
    plan = run(script, {"Subject": "Frobnitz"})
    assert plan.actions == ()
    plan = run('require "fileinto"; fileinto text:\r\n..dotted\r\n.\r\n;')
    assert plan.actions == (FileInto(".dotted\r\n"),)


def test_duplicate_fileinto_and_keep_collapse(run) -> None:
    plan = run('require "fileinto"; fileinto "INBOX"; keep; fileinto "a"; fileinto "a";')
    assert plan.actions == (Keep(), FileInto("a"))


def test_duplicate_redirect_once(run) -> None:
    plan = run('redirect "a@b.c"; redirect "A@B.C";')
    assert plan.actions == (Redirect("a@b.c"),)


def test_redirect_invalid_address_is_runtime_error(run) -> None:
    plan = run('redirect "not an address";')
    assert plan.actions == () and plan.implicit_keep and plan.errors


def test_encoded_character(run) -> None:
    script = '''require ["encoded-character", "fileinto"];
    fileinto "${hex: 49 4E 42 4f 58}.${unicode:263a}.${hex:zz}";'''
    assert run(script).actions == (FileInto("INBOX.\u263a.${hex:zz}"),)
    # without the require the text stays literal
    assert run('require "fileinto"; fileinto "${hex:41}";').actions == (FileInto("${hex:41}"),)


def test_quoted_string_escapes(run) -> None:
    plan = run(r'require "fileinto"; fileinto "a\"b\\c\d";')
    assert plan.actions == (FileInto('a"b\\cd'),)
