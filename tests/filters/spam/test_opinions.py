"""The recorded opinions reproduce the validations: figures(records, kept) is what
corpus.py's cross_validate, sender_cross_validate and later_period_validate measure
for the shipped model (training groups only; no test group is read)."""

from __future__ import annotations

import pytest

from tests.filters.spam import corpus, opinions


@pytest.fixture(scope="module")
def groups() -> dict[str, list[tuple[str, bytes]]]:
    try:
        return corpus.load()
    except corpus.CorpusUnavailable as exc:
        pytest.fail(f"SpamAssassin corpus unavailable: {exc}")


@pytest.fixture(scope="module")
def records(groups: dict[str, list[tuple[str, bytes]]]) -> dict[str, list[opinions.Opinion]]:
    return opinions.record(groups)


def test_recorded_opinions_give_the_validation_figures(
    groups: dict[str, list[tuple[str, bytes]]], records: dict[str, list[opinions.Opinion]]
) -> None:
    found = opinions.figures(records, opinions.kept)
    cv = corpus.cross_validate(groups)
    sender = corpus.sender_cross_validate(groups)
    later = corpus.later_period_validate(groups)
    assert found["cv_spam_caught"] == cv["cv_spam_caught"]
    assert found["cv_ham_flagged"] == round(
        cv["cv_easy_ham_fp_rate"] * len(groups["easy-ham-1"]) + cv["cv_hard_ham_fp_rate"] * cv["cv_hard_ham"])
    assert found["cv_hard_ham_max"] == cv["cv_hard_ham_max"]
    assert (found["sender_hard_ham_fp"], found["sender_hard_ham_above_7"], found["sender_hard_ham_max"]) == (
        sender["sender_hard_ham_fp"], sender["sender_hard_ham_above_7"], sender["sender_hard_ham_max"])
    assert found["later_spam_caught"] == later["later_spam_caught"]
    assert found["later_rerouted_caught"] == later["later_rerouted_caught"]
    assert found["later_ham_flagged"] == 0 and later["later_hard_ham_fp_rate"] == later["later_easy_ham_fp_rate"] == 0


def test_every_scheme_holds_what_it_scores(
    groups: dict[str, list[tuple[str, bytes]]], records: dict[str, list[opinions.Opinion]]
) -> None:
    hard = len(groups["hard-ham-1"]) // 2 + len(groups["hard-ham-1"]) % 2
    counts = {k: {g: sum(o.group == g for o in v) for g in ("spam", "easy", "hard")} for k, v in records.items()}
    assert counts["cv"] == {"spam": len(groups["spam-1"]), "easy": len(groups["easy-ham-1"]), "hard": hard}
    assert counts["sender"] == {"spam": 0, "easy": 0, "hard": hard}
    held_spam = len(groups["spam-1"]) - int(len(groups["spam-1"]) * 0.6)
    assert counts["later"]["spam"] == counts["rerouted"]["spam"] == held_spam
    everything = opinions.figures(records, lambda o: 10.0)
    assert everything["sender_hard_ham_fp"] == everything["sender_hard_ham_above_7"] == hard
    assert everything["later_ham_flagged"] == counts["later"]["easy"] + counts["later"]["hard"]
