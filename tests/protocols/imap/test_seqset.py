from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.protocols.imap import ParseError, SequenceSet, compact


def test_parse_and_str() -> None:
    s = SequenceSet.parse("1:5,7,10:*,*")
    assert s.ranges == ((1, 5), (7, 7), (10, None), (None, None))
    assert str(s) == "1:5,7,10:*,*"
    assert str(SequenceSet.parse("$")) == "$"


def test_resolve_against_max() -> None:
    assert SequenceSet.parse("1:5,7,10:*").resolve(12) == [(1, 5), (7, 7), (10, 12)]
    assert SequenceSet.parse("5:2,3").resolve(9) == [(2, 5)]
    assert SequenceSet.parse("20:*").resolve(12) == [(12, 20)]  # "*" is the largest: 12:20
    assert SequenceSet.parse("1:*").resolve(0) == []
    assert list(SequenceSet.parse("2,4:*").iter(6)) == [2, 4, 5, 6]
    assert SequenceSet.parse("3:4").contains(4, 10)


def test_saved_cannot_resolve() -> None:
    with pytest.raises(ParseError):
        SequenceSet(saved=True).resolve(5)


@pytest.mark.parametrize("bad", ["", "0", "1:0", "01", "a", "1,,2", "1:2:3", "4294967296", ":", "1,$"])
def test_bad_sets(bad: str) -> None:
    with pytest.raises(ParseError):
        SequenceSet.parse(bad)


def test_compact() -> None:
    assert compact([1, 2, 3, 4, 5, 7]) == "1:5,7"
    assert compact([9, 3, 2, 2]) == "2:3,9"
    assert compact([]) == ""


@given(st.sets(st.integers(1, 10_000), min_size=1, max_size=200))
def test_of_round_trips(numbers: set[int]) -> None:
    s = SequenceSet.of(numbers)
    assert set(SequenceSet.parse(str(s)).iter(10_000)) == numbers
    assert str(s) == compact(numbers)
