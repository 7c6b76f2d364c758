"""The fast paths of classify() give the very scores of the plain code they replaced.

bayes() (with a per-model clue cache) and linear.probability() have a one-model
path (delivery's case), compared for exact equality with their general paths (the
code as it was), before and after more training; body words are taken from the
distinct words without joining and re-splitting them, compared with words().
"""

from __future__ import annotations

from postvak.filters.spam import Model, SpamContext, SpamSettings, classifier, classify, fit, linear, train
from postvak.filters.spam.learn import message_features
from postvak.filters.spam.message import parse, strip_urls
from postvak.filters.spam.rules import run_rules
from postvak.filters.spam.tokenizer import body_tokens, words
from tests.filters.spam.samples import HAM_BODIES, SPAM_BODIES, message

# A second model that takes bayes() and linear.probability() down their general paths and adds
# nothing: no counts, and weights present (so it is counted) but none for a real feature.
EMPTY = Model(weights={-1: 0.0})
# body_tokens' own tokens, besides the words of the text.
NON_WORD_PREFIXES = ("content-type:", "charset:", "filename:", "proto:", "url:", "anchor:", "style:", "caps:", "body:")


def corpus_messages() -> list[bytes]:
    shouted = " ".join(("LOOK at THIS offer NOW " if i % 3 == 0 else "plain words here ") for i in range(1500))
    long_mixed = " ".join(f"word{i % 700} Word{i % 50} SHOUT{i % 9}" for i in range(6000))
    return ([message("Offer", b, sender="deals@spam.example") for b in SPAM_BODIES]
            + [message("Project", b) for b in HAM_BODIES]
            + [message("Big", shouted), message("Bigger", long_mixed), message("Empty", "")])


def trained_model() -> Model:
    global_model = Model()
    examples = [(message_features(message("Offer", b, sender="deals@spam.example")), True) for b in SPAM_BODIES]
    examples += [(message_features(message("Project", b)), False) for b in HAM_BODIES]
    for feats, is_spam in examples:
        train(global_model, feats, is_spam)
    fit(global_model, examples)
    return global_model


def test_fast_paths_give_identical_probabilities() -> None:
    """The one-model paths against the general ones: an empty second model adds nothing but
    takes the general path, whose arithmetic is the code as it was before the fast paths."""
    global_model = trained_model()
    for round_ in range(2):
        for raw in corpus_messages():
            feats = message_features(raw)
            assert classifier.bayes(feats, global_model).probability == classifier.bayes(feats, global_model, EMPTY).probability
            assert linear.probability([global_model], feats) == linear.probability([global_model, EMPTY], feats)
        # More training changes every clue: the cached ones must not outlive it.
        train(global_model, message_features(message("Offer", SPAM_BODIES[round_])), True)
        assert global_model.clues == {}


def test_classify_scores_match_the_reference_combination() -> None:
    global_model = trained_model()
    settings = SpamSettings()
    for raw in corpus_messages():
        verdict = classify(raw, context=SpamContext(), global_model=global_model, settings=settings)
        points = sum(h.points for h in run_rules(parse(raw), SpamContext(), settings))
        feats = message_features(raw)
        # Six messages a class: under CORPUS_TRAINED, so the mean of the two opinions.
        combined = (classifier.bayes(feats, global_model, EMPTY).probability + linear.probability([global_model, EMPTY], feats)) / 2.0
        assert verdict.score == round(points + settings.bayes_weight * combined, 2)


def test_body_words_are_the_words_of_the_text() -> None:
    # The long ones: one text part cut at 50,000 chars (words and style share a split) and
    # text + HTML past that (the words are split apart).
    for raw in corpus_messages() + long_messages():
        msg = parse(raw)
        text = strip_urls(msg.all_text)
        body = set(body_tokens(msg))
        assert set(words(text)) <= body
        assert {t for t in body if not t.startswith(NON_WORD_PREFIXES)} == set(words(text))


def reference_style_tokens(text: str) -> list[str]:
    """style_tokens as it was: one Python pass per token, kept to compare the counted version with."""
    from postvak.filters.spam.tokenizer import _bucket, _log2_bucket

    sample = text[:50_000]
    tokens = sample.split()
    if not tokens:
        return []
    out = []
    alpha = [t for t in tokens if t.isalpha() and len(t) > 2]
    if alpha:
        out.append(f"style:caps%:{_bucket(sum(t.isupper() for t in alpha) / len(alpha))}")
    out.append(f"style:words:{_log2_bucket(len(tokens))}")
    out.append(f"style:bang:{_log2_bucket(sample.count('!') + 1)}")
    out.append(f"style:dollar:{_log2_bucket(sample.count('$') + 1)}")
    nonascii = sum(1 for ch in sample if ord(ch) > 127)
    out.append(f"style:8bit%:{_bucket(nonascii / max(1, len(sample)))}")
    out.extend("caps:" + t.lower()[:12] for t in alpha[:2000] if t.isupper() and len(t) >= 4)
    return out


def test_style_tokens_match_the_per_token_loop() -> None:
    from postvak.filters.spam.tokenizer import style_tokens

    late_shout = " ".join(["quiet"] * 1999 + ["LATE", "LOUDER", "ÉCOLE", "BIG!"] + ["AFTER"] * 50)
    texts = [
        "", "   \n ", "ab", "HELLO world", "HELLO! WORLD? ÉCOLE ǅemal ΑΒΓΔ straße STRASSE 12345 AB1C",
        " ".join(["quiet"] * 1998 + ["EDGE", "EDGE2", "LASTONE", "OVER"]),  # the 2000th alphabetic token and past it
        " ".join(["quiet"] * 1999 + ["LASTONE"]),
        late_shout, late_shout * 3, "x " * 30_000 + "SHOUTED WORDS",  # past the 50,000-char sample
        " ".join(f"word{i} WORD SHOUT{i % 7} $5 !" for i in range(12_000)),
        "ÀÉÎ " * 20_000, "naïve CAFÉ " * 6_000,
    ] + [message_body for message_body in SPAM_BODIES + HAM_BODIES]
    for text in texts:
        assert set(style_tokens(text)) == set(reference_style_tokens(text)), text[:60]


def long_messages() -> list[bytes]:
    """Messages whose body passes the prefix a single-part parse keeps, of every kind that parse must get right."""
    from postvak.filters.spam.message import _PREFIX_BODY

    head = "From: a@example.org\r\nTo: b@example.net\r\nSubject: long\r\n"
    utf8 = "Grüße aus München — ünïcödé " * 4000
    b64 = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n" * 1500
    out = []
    for ctype, cte, body in [
        ("text/plain; charset=utf-8", "8bit", utf8),
        ("text/plain; charset=iso-8859-1", "8bit", "caf\xe9 cr\xe8me " * 9000),
        ("text/plain", None, "LOOK at THIS offer NOW\r\n" * 5000),
        ("text/plain", "quoted-printable", "caf=C3=A9 soft=\r\nbreak " * 8000),
        ("text/plain; charset=utf-8", "base64", b64),
        ("text/plain", "7bit", b64),  # base64-looking lines in an identity body: elided and restored
        ("text/html", "7bit", '<html><body><a href="http://x.example/p">click here</a> <p>offer</p>' * 2000),
        ("text/plain", "7bit", "<html><body><p>sniffed <br> as <div> html</div>" * 2500),
        ('multipart/alternative; boundary="b1"', None,
         "--b1\r\nContent-Type: text/plain\r\n\r\n" + "plain words " * 6000 + "\r\n--b1\r\nContent-Type: text/html\r\n\r\n"
         + "<p>html words</p> " * 4000 + "\r\n--b1--\r\n"),
        ("message/rfc822", None, "Subject: inner\r\n\r\n" + "inner words " * 6000),
        ("application/octet-stream", None, "binary-ish " * 6000),
    ]:
        extra = f"Content-Type: {ctype}\r\n" + (f"Content-Transfer-Encoding: {cte}\r\n" if cte else "")
        out.append((head + extra + "\r\n" + body).encode("utf-8" if "utf-8" in ctype or cte != "8bit" else "latin-1"))
    plain = (head + "\r\n").encode()
    for n in (_PREFIX_BODY - 1, _PREFIX_BODY, _PREFIX_BODY + 1, MAX_PART + 1023, MAX_PART + 1025):
        out.append(plain + b"x" * n)  # around the prefix's edge and the part's cut
    # A UTF-8 character split by the part's cut, and one split by the prefix's end.
    for at in (MAX_PART - 1, _PREFIX_BODY - 1):
        out.append(plain.replace(b"long", b"split").replace(b"\r\n\r\n", b"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
                   + b"a" * at + "é".encode() + b" tail" * 3000)
    out.append(b"From: a@example.org\nSubject: lf only\n\n" + b"line of text here\n" * 6000)
    out.append(b"From: a@example.org\rSubject: cr only\r\r" + b"line of text here\r" * 6000)
    out.append(b"Subject: no blank line\r\n" + b"header-looking: line\r\n" * 5000)
    return out


MAX_PART = 50_000


def test_a_long_single_part_parses_as_the_whole_message() -> None:
    """parse() reads only a prefix of a long single-part body; the result is the whole message's parse."""
    from postvak.filters.spam.message import MAX_PART_CHARS, _parse

    assert MAX_PART == MAX_PART_CHARS
    for raw in long_messages():
        whole = _parse(raw, elided=True)
        assert parse(raw) == whole, raw[:80]


def test_body_start_is_after_the_first_empty_line() -> None:
    from postvak.filters.spam.elide import body_start

    def reference(raw: bytes) -> int:
        ends = [i + len(sep) for sep in (b"\n\n", b"\n\r\n") if (i := raw.find(sep)) >= 0]
        return min(ends) if ends else -1

    for raw in [b"", b"\n", b"\n\n", b"a\r\n\r\nb", b"a\n\nb\r\n\r\n", b"a\r\n\r\n\n\nb", b"a\n\r\r\n\n", b"a\r\n\n",
                b"a\n\r\n\n", b"a\r\rb", *long_messages(), *corpus_messages()]:
        assert body_start(raw) == reference(raw), raw[:40]


# --- Regexes rewritten for speed, against the patterns they replaced -------------------------

def nasty_texts(alphabet: list[str], count: int = 4000, seed: int = 7) -> list[str]:
    """Short random texts over pieces that sit on every edge of a pattern (case, word boundaries, exotic
    case-insensitive equivalents such as U+017F for s and U+212A for k), with the corpus-like texts."""
    import random

    rnd = random.Random(seed)
    texts = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 16))) for _ in range(count)]
    for raw in corpus_messages() + long_messages():
        text = parse(raw).all_text
        texts += [text, text.lower()]
    return texts


def test_url_regex_matches_as_before() -> None:
    import re

    from postvak.filters.spam.message import URL_RE, find_urls

    before = re.compile(r"""(?i)\b((?:https?|ftp)://[^\s"'<>()\[\]{}]+|www\.[^\s"'<>()\[\]{}]+)""")
    alphabet = list("hHtTpPsS\u017ffFwW.:/ \n_\u00e91x\"'<>(){}[]\u212a") + ["http://", "www.", "ftp://", "HTTPS://", "WwW.", "\u017f://"]
    many = " ".join(f"http://h{i}.example/p www.w{i}.example" for i in range(400))  # past the candidates' cap
    for text in nasty_texts(alphabet) + nasty_texts(alphabet[:-1] + ["://", "http://x.y", "ftp"], count=20_000, seed=8) + [many, many[:5000]]:
        assert URL_RE.findall(text) == before.findall(text), text[:80]
        assert find_urls(text) == before.findall(text), text[:80]
        assert strip_urls(text) == before.sub(" ", text), text[:80]


def test_money_patterns_match_as_before() -> None:
    import re

    from postvak.filters.spam.rules import money

    big = re.compile(r"(?i)\$\s?\d{1,3}(?:,\d{3})+|\$\s?\d+\s?(?:million|thousand|k)\b|\b\d+(?:,\d{3})*\s+dollars\b")
    from postvak.filters.spam.structure import _PERCENT_RE

    percent = re.compile(r"\b\d{2,3}\s?%")
    percent_anywhere = re.compile(r"\d\s?%")  # structure.text_tokens' count
    alphabet = list("$ 1234,0%%%_a\u00e9\n\t\u3000\u0661\u00b2kK\u212a.") + [" dollars", " DOLLARS", " dollar\u017f", " DollarS", " million",
                                                                   "Thousand", ",000", "100%"]
    for text in nasty_texts(alphabet):
        if "$" in text or "dollars" in text:  # when the rule looks
            assert money.big_money(text) == bool(big.search(text)), text[:80]
        assert len(money._PERCENT.findall(text)) == len(percent.findall(text)), text[:80]  # the rule counts them
        assert len(_PERCENT_RE.findall(text)) == len(percent_anywhere.findall(text)), text[:80]


def test_mixed_script_needs_a_cyrillic_letter() -> None:
    from postvak.filters.spam.rules import obfuscation

    alphabet = list("ab \u0430\u0431\u04ff\u0400\u0500\u00e9_1.") + ["paypal", "p\u0430ypal", "\u0430\u0431\u0432"]
    for text in nasty_texts(alphabet):
        assert bool(obfuscation._MIXED_SCRIPT.search(text)) == bool(obfuscation._CYRILLIC.search(text) and obfuscation._MIXED_SCRIPT.search(text))


PHRASE_PIECES = [
    "click here", "click  below", "click on the link", "to be removed", "to remove", "remove me", "removal", "unsubscribe",
    "this is not spam", "this isnt a spam", "not a spam", "not unsolicited", "opt-in", "opted in", "you received this",
    "you are receiving this", "bill s. 1618", "bill s1618", "section 301", "guaranteed", "guarantee", "risk-free", "money back",
    "earn $", "earn $cash", "cash", "100% free", "1100% free", "800-555-1234", "1-800-555-1234", "(888) 555-1234",
    " 877.555.1234", "8000-555-1234", "800-555-12345", "1866 555 1234", "debt", "refinance", "mortgage", "call now",
    "free gift", "dear friend", "credit card", "no cost", "no obligation", "work at home", "weight loss", "extra income",
    "reply", "send", "email", "e-mail", "mail", "subject", "title", "delete", "subject: remove", "subject line \"remove",
    "a", "_", "-", ".", " ", "\n", "$", "%", "1", "8", "0", "\u00e9", "x", "(", ")",
]


def test_phrases_are_found_as_by_the_single_pattern() -> None:
    import re

    from postvak.filters.spam.rules import phrases

    before = re.compile(
        r"\b(?:(?P<click>click\s+(?:here|below|on\s+the\s+link))"
        r"|(?P<remove>to\s+(?:be\s+)?removed?|removal|remove\s+(?:me|yourself)|unsubscribe)"
        r"|(?P<notspam>this\s+(?:is\s+not|isn'?t)\s+(?:a\s+)?spam|not\s+(?:an?\s+)?(?:unsolicited|spam)|opt(?:ed)?[- ]in"
        r"|you\s+(?:are\s+receiving|received)\s+this|bill\s+s\.?\s*1618|section\s+301)"
        r"|(?P<sales>guaranteed?|risk[- ]free|no\s+obligation|money[- ]back|act\s+now|limited\s+time|order\s+(?:now|today)"
        r"|call\s+(?:now|today)|free\s+(?:gift|trial|info|quote|consultation)|100%\s+free|special\s+(?:offer|promotion)"
        r"|dear\s+(?:friend|sir|madam)|credit\s+card|no\s+cost|lowest\s+(?:price|rate)|work\s+(?:from|at)\s+home"
        r"|earn\s+\$|extra\s+income|mortgage|viagra|refinanc|debt|weight\s+loss|cash)"
        r"|(?P<tollfree>1?[-. ]?\(?8(?:00|88|77|66)[-). ]+\d{3}[-. ]\d{4}))\b")
    remove_by_reply = re.compile(
        r"(?:reply|send|e-?mail)[^.\n]{0,60}\b(?:remove|unsubscribe|delete)\b[^.\n]{0,40}\b(?:subject|title)\b"
        r"|subject\s*(?:line)?\s*[:\"']*\s*\"?remove")
    edges = ["mail remove subject", "email: to remove, reply with remove in the subject", "e-mail delete title",
             "gmail unsubscribe subject", "e mail remove subject", "send remove. subject", "reply\nremove subject",
             "replying removed subject", "subject:remove", "subject line: \"remove"]
    for text in edges + nasty_texts(PHRASE_PIECES, count=20_000):
        text = text.lower()
        seen: dict[str, set[str]] = {}
        for match in before.finditer(text):
            seen.setdefault(match.lastgroup or "", set()).add(match.group())
        assert phrases.phrases(text) == seen, text[:80]
        if "remove" in text or "unsubscribe" in text or "delete" in text:  # when the rule looks
            assert phrases.removal_by_reply(text) == bool(remove_by_reply.search(text)), text[:80]


def test_is_ip_as_before() -> None:
    import ipaddress
    import re

    from postvak.filters.spam.rules.urls import is_ip

    def before(host: str) -> bool:
        try:
            ipaddress.ip_address(host)
            return True
        except ValueError:
            return bool(re.fullmatch(r"(?:0x[0-9a-f]+|\d{8,10})", host))

    alphabet = list("0123456789..::abcfx%\u0661\u0662") + ["0x", "0X", "192.168.", "::1", "fe80::", "%eth0", "3232235777"]
    hosts = nasty_texts(alphabet, count=20_000)[:20_000] + ["", "1.2.3.4", "01.2.3.4", "::", "0xC0A80001", "0xc0a80001",
                                                            "3232235777", "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668"]
    for host in hosts:
        assert is_ip(host) == before(host), host


def test_html_style_patterns_match_as_before() -> None:
    import re

    from postvak.filters.spam.rules import html_style

    tiny = re.compile(rb"<font[^>]*size\s*=\s*[\"']?[-+]?[01]\b|font-size\s*:\s*[0-6]px")
    comment = re.compile(rb"[a-z]<!--[^>]{0,100}-->[a-z]")
    alphabet = list("<>!-afontsize=:01 \"'px7") + ["<font ", "size=", "font-size:", "<!--", "-->", "1px", "w<!--x-->y"]
    for text in nasty_texts(alphabet):
        body = text.encode("utf-8").lower()
        assert bool(html_style._TINY_FONT_TAG.search(body) or html_style._TINY_FONT_STYLE.search(body)) == bool(tiny.search(body))
        assert bool(html_style._COMMENT_IN_WORD.search(body)) == bool(comment.search(body)), body[:80]


def html_samples() -> list[str]:
    """Markup that repeats its tags and anchors, past the 400-mark cap with repeats in between."""
    row = '<tr><td style="color:red; font-size:2px"><font size=2 face=Arial>x</font><a href="http://a.example/{i}">Go &amp; <b>see</b></a></td></tr>'
    many = "".join(f'<p data-{chr(97 + i // 26 % 26)}{chr(97 + i % 26)}="1"><br><a href=\'http://b.example\'>same</a><img src="/i{i % 3}.gif">' for i in range(600))
    return ["".join(row.format(i=i % 4) for i in range(50)), many, row.format(i=1) + many + "<!-- c --><!-- d -->", "<a href=x>a</a>" * 3, ""]


def test_html_marks_and_links_as_before() -> None:
    import html

    from postvak.filters.spam import message as m

    def marks_before(markup: str) -> list[str]:
        seen: dict[str, None] = {}
        seen[f"comments:{min(len(m._COMMENT_RE.findall(markup[:100_000])), 9)}"] = None
        for match in m._OPEN_TAG_RE.finditer(markup[:100_000]):
            tag = match.group(1).lower()
            seen.setdefault("tag:" + tag, None)
            attrs = match.group(2)
            for name in m._ATTR_NAME_RE.findall(attrs):
                seen.setdefault(f"attr:{tag}.{name.lower()}", None)
            style = m._STYLE_RE.search(attrs)
            if style:
                for decl in style.group(1).split(";"):
                    prop = decl.partition(":")[0].strip().lower()
                    if prop:
                        seen.setdefault("style:" + prop[:20], None)
            if len(seen) >= m.MAX_MARKS:
                break
        return list(seen)

    def links_before(markup: str) -> list[m.Link]:
        markup = m._COMMENT_RE.sub(" ", m._SCRIPT_RE.sub(" ", markup))
        return [m.Link(m._attr(match.groups()[:3]), m._unfold(html.unescape(m._TAG_RE.sub(" ", match.group(4)))))
                for match in m._ANCHOR_RE.finditer(markup)]

    for markup in html_samples():
        assert m.html_marks(markup) == marks_before(markup)
        assert list(m.html_to_text(markup)[1]) == links_before(markup)
    assert len(m.html_marks(html_samples()[1])) == m.MAX_MARKS


def quoted_printable_messages() -> list[bytes]:
    """Long single-part quoted-printable messages with escapes, soft breaks and broken escapes all over,
    so some fall right at the line end where a prefix parse stops, and some decode too short for it."""
    import random

    rnd = random.Random(11)
    pieces = ["=3D", "=\r\n", "=\n", "=C3=A9", "abc ", "words here ", "=", "==", "=\r", "=4", "=4g", "\r\n", "\n", "=\rjunk\n",
              "caf=E9 ", "\xe9", "=20\r\n", " \r\n", "http://x.example/=3Dq "]
    head = "From: a@example.org\r\nTo: b@example.net\r\nSubject: qp\r\n"
    out = []
    for _ in range(40):
        weights = [rnd.random() for _ in pieces]
        body = "".join(rnd.choices(pieces, weights, k=rnd.randint(9_000, 16_000)))
        ctype = rnd.choice(["text/plain; charset=utf-8", "text/plain; charset=iso-8859-1", "text/html", "application/octet-stream"])
        cte = rnd.choice(["quoted-printable", "Quoted-Printable", "quoted-printable ", "8bit"])
        extra = f"Content-Type: {ctype}\r\nContent-Transfer-Encoding: {cte}\r\n" + ("X-Note: quoted-printable\r\n" if cte == "8bit" else "")
        out.append((head + extra + "\r\n" + body).encode("latin-1"))
    plain_qp = (head + "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n").encode()
    out.append(plain_qp + b"=C3=A9=C3=A9=C3=A9=C3=A9\r\n" * 4000)  # decodes to a third: the whole is parsed
    out.append(plain_qp + b"x" * 70_000)  # no line end: the whole is parsed
    out.append(plain_qp + b"y" * 60_000 + b"\r\n" + b"z" * 20_000)
    # Decodes to 49,999 bytes and then "=C" where a prefix cut 63,524 bytes in (not at a line end) stops.
    out.append(plain_qp + b"=61" * 6760 + b"a" * 43239 + b"=\r\n" + b"=C3=A9" * 3000 + b"\r\n")
    out.append(plain_qp.replace(b"\r\n", b"\r") + b"bare cr line\r" * 6000)
    return out


def test_a_long_quoted_printable_part_parses_as_the_whole_message() -> None:
    from postvak.filters.spam.elide import body_start
    from postvak.filters.spam.message import _QP_PREFIX_BODY, _parse

    prefixed = 0
    for raw in quoted_printable_messages() + long_messages():
        assert parse(raw) == _parse(raw, elided=True), raw[:120]
        start = body_start(raw)
        end = raw.rfind(b"\n", start, start + _QP_PREFIX_BODY) + 1
        if b"uoted-" in raw[:start] and start < end < len(raw) and _parse(raw[:end], elided=True, whole=False) is not None:
            prefixed += 1
    assert prefixed >= 20  # the prefix path itself was taken, not only the fall-backs


def test_elided_runs_and_phone_numbers_as_before() -> None:
    import random
    import re

    from postvak.filters.spam.elide import _RUN_RE, body_start
    from postvak.filters.spam.structure import _PHONE_RE, _PHONE_RE_ASCII

    runs_before = re.compile(rb"(?m)^(?:[A-Za-z0-9+/=]{16,998}\r?\n){16,}")
    rnd = random.Random(13)
    lines = [b"QUJDREVGR0hJSktMTU5PUFFS\r\n", b"QUJDREVGR0hJSktMTU5PUFFS\n", b"A" * 15 + b"\n", b"B" * 16 + b"\r\n", b"C" * 998 + b"\n",
             b"D" * 999 + b"\n", b"short\n", b"\n", b"\r\n", b"--b1\r\n", b"x: y\r\n", b"QUJD REVG\n", b"QUJDREVGR0hJSktMTU5PUFFS"]
    for _ in range(600):
        head = rnd.choice([b"Subject: x\r\n\r\n", b"Subject: x\n\n", b"Subject: x\n\r\n"])
        body = b"".join(rnd.choice(lines[:2]) if rnd.random() < 0.6 else rnd.choice(lines) for _ in range(rnd.randint(0, 90)))
        raw = head + body
        start = body_start(raw)
        assert [m.span(1) for m in _RUN_RE.finditer(raw, start - 1)] == [m.span() for m in runs_before.finditer(raw, start)]
    phone_before = re.compile(r"\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b")
    for text in nasty_texts(list("0123456789)-. x\u0661\n") + ["555-123-4567", "(800) 555 1234"]):
        assert [m.span() for m in _PHONE_RE.finditer(text)] == [m.span() for m in phone_before.finditer(text)]
        if text.isascii():
            assert [m.span() for m in _PHONE_RE_ASCII.finditer(text)] == [m.span() for m in phone_before.finditer(text)]


def test_url_rule_as_before() -> None:
    import random

    from postvak.filters.spam.rules import urls
    from postvak.filters.spam.types import Hit

    def before(msg) -> list[Hit]:
        hits = []
        ip_urls = [u for u in msg.urls if "://" in u and urls.is_ip(urls.host_of(u))]
        if ip_urls:
            hits.append(Hit("URL_IP_HOST", SET.points("URL_IP_HOST", 1.5), f"link to IP host {urls.host_of(ip_urls[0])}"))
        for link in msg.links:
            shown = urls._HOST_IN_TEXT.match(link.text.strip())
            target = urls.host_of(link.href)
            if shown and target and "://" in link.href and urls._base(shown.group(1).lower()) != urls._base(target):
                hits.append(Hit("URL_TEXT_MISMATCH", SET.points("URL_TEXT_MISMATCH", 0.5),
                                f"anchor shows {shown.group(1).lower()} but goes to {target}"))
                break
        return hits

    SET = SpamSettings()
    rnd = random.Random(17)
    hrefs = ["http://a.example/x", "http://10.0.0.1/p", "http://3232235777/", "https://[::1]/", "http://b.example@192.168.0.9/",
             "mailto:x@y.example", "/relative", "http://0xC0A80001/"]
    shows = ["click", "a.example", "www.b.example/login", "http://c.example", "10.0.0.1", ""]
    raws = []
    for _ in range(200):
        anchors = "".join(f'<a href="{rnd.choice(hrefs)}">{rnd.choice(shows)}</a> see {rnd.choice(hrefs)} '
                          for _ in range(rnd.randint(0, 8)))
        raws.append(f"Subject: u\r\nContent-Type: text/html\r\n\r\n<html><body>{anchors}</body></html>".encode())
    for raw in raws + corpus_messages():
        msg = parse(raw)
        assert urls.check(msg, SpamContext(), SET) == before(msg), raw[:200]
