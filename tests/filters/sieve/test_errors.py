"""Syntax and validation errors carry the line number (RFC 5228 2.10.5, 3.2, 8)."""

from __future__ import annotations

import pytest

from postvak.filters.sieve import SieveSyntaxError, compile


@pytest.mark.parametrize(
    "script, line, words",
    [
        ('keep;\n\nfrobnicate;', 3, "unknown command"),
        ('fileinto "x";', 1, "needs require 'fileinto'"),
        ('require "nosuch";', 1, "unsupported extension"),
        ('keep;\nrequire "fileinto";', 2, "require must come before"),
        ('if true {\n keep;\n', 2, "missing '}'"),
        ('keep', 1, "expected ';'"),
        ('redirect;', 1, "expects 1 argument"),
        ('redirect ["a@b.c", "d@e.f"];', 1, "expects a string"),
        ('if size 10 { keep; }', 1, "needs one of :over :under"),
        ('if header :is :contains "a" "b" { keep; }', 1, "conflicts"),
        ('if header :frob "a" "b" { keep; }', 1, "unknown tag"),
        ('\n\nif header :is "a" {\nkeep; }', 3, "expects 2 arguments"),
        ('if true keep;', 1, "needs a block"),
        ('elsif true { keep; }', 1, "elsif without if"),
        ('"abc', 1, "unterminated string"),
        ('keep;\n/* open', 2, "unterminated bracket comment"),
        ('keep;\nredirect text:\nabc\n', 2, "unterminated text"),
        ('if header :comparator "i;ascii-numeric" :is "a" "1" { keep; }', 1, "needs require"),
        ('if header :comparator "i;nope" :is "a" "1" { keep; }', 1, "unknown comparator"),
        ('require "relational";\nif header :value "xx" "a" "1" { keep; }', 2, "relational operator"),
        ('if header :value "gt" "a" "1" { keep; }', 1, "needs require 'relational'"),
        ('require "variables";\nset "1" "x";', 2, "invalid variable name"),
        ('if allof true { keep; }', 1, "needs a test list"),
        ('if not (true, false) { keep; }', 1, "exactly one test"),
        ('keep :flags "x";', 1, "needs require 'imap4flags'"),
        ('require "date";\nif date "date" "century" "1" { keep; }', 2, "unknown date part"),
        ('require "encoded-character";\nkeep;\nredirect "${unicode:D800}";', 3, "invalid unicode"),
        ('if true { keep; } else keep;', 1, "else needs a block"),
        ('redirect 99999999999999999999;', 1, "number too large"),
        ('require "fileinto";\nfileinto text:\nab\n.\n;\nfrob;', 6, "unknown command"),
        ('redirect "a\nb";\nfrob;', 3, "unknown command"),
        ('/*\n\n*/ frob;', 3, "unknown command"),
    ],
)
def test_syntax_errors_name_the_line(script: str, line: int, words: str) -> None:
    with pytest.raises(SieveSyntaxError) as info:
        compile(script)
    assert info.value.line == line, info.value
    assert words in info.value.message, info.value


def test_extension_list_can_be_narrowed() -> None:
    with pytest.raises(SieveSyntaxError):
        compile('require "vacation";', extensions=frozenset({"fileinto"}))


def test_script_size_limit() -> None:
    from postvak.filters.sieve import Limits

    with pytest.raises(SieveSyntaxError, match="larger"):
        compile("keep;" * 100, limits=Limits(max_script_size=100))
