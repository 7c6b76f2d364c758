"""What happens to one new message for each local recipient: spam verdict, then the
user's active Sieve script, turned into a `Decision` the delivery write job carries out.

Order (issue 6): spam runs first so Sieve can test it (RFC 5235 spamtest); a spam
message goes to Spam (\\Junk) unless the script files it elsewhere, and never
triggers vacation or redirect. A Sieve runtime error is the implicit keep plus a log
line (RFC 5228 2.10.6): nothing is lost. Inputs are read from the store first, the
CPU work (classifier, interpreter) runs off the reactor through `runner.offload`.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from postvak.filters import sieve
from postvak.filters import spam as spamfilter
from postvak.store import accounts, ingest, mailboxes, search
from postvak.store import sieve as store_sieve
from postvak.store.types import Resolved

# RFC 5321 6.3: a message that has passed this many hops is looping; no redirect.
# The default of the `delivery.max_hops` setting.
MAX_HOPS = 25
# Sources that are our own or authenticated users: no spam check.
TRUSTED_SOURCES = frozenset({"submission", "submissions", "dsn", "vacation", "redirect", "queue"})
# Sources where a refusal can still be the SMTP reply (RFC 5429 2.1: reject at SMTP time).
SMTP_SOURCES = frozenset({"smtp", "lmtp"})
JUNK = "\\Junk"


@dataclass(frozen=True)
class Arrival:
    """What the receiving server knew about the connection a message came in on; the
    SMTP handler fills it from its own checks, so the spam check need not re-parse
    Authentication-Results. All defaults: "not known" (fetched mail, old callers)."""

    client_ip: str | None = None
    helo: str | None = None
    spf: str | None = None  # RFC 8601 result words: pass, fail, softfail, neutral, none, ...
    dkim: str | None = None
    dmarc: str | None = None
    authenticated: bool = False  # submission by a logged-in user


@dataclass(frozen=True)
class Filing:
    """One stored copy: a folder by name (None: INBOX) or by special use."""

    mailbox: str | None = None
    special_use: str | None = None
    flags: frozenset[str] = frozenset()
    create: bool = False
    comment: str | None = None


@dataclass(frozen=True)
class Send:
    """A message leaving on the account's behalf (redirect, vacation reply, bounce).
    With `memory`, it is sent only if that state key is absent, and the key is then
    kept for `memory_seconds` (RFC 5230 4.2: once per sender per period)."""

    mail_from: str
    to: str
    raw: bytes = field(repr=False)
    account_id: int | None = None
    memory: str | None = None
    memory_seconds: int = 0
    # "redirect" (a local target goes back through Delivery: its own spam check and
    # Sieve), "vacation" or "bounce" (our own replies: straight into a local INBOX).
    kind: str = "redirect"


@dataclass(frozen=True)
class Decision:
    recipient: Resolved
    raw: bytes = field(repr=False)  # the stored copy: verdict headers + message
    filings: tuple[Filing, ...] = ()
    sends: tuple[Send, ...] = ()
    reject: str | None = None  # refusal reason when it can be the SMTP reply
    verdict: Any = None  # filters.spam.Verdict or None when not checked
    errors: tuple[str, ...] = ()
    # (ingest.Facts, search terms) of `raw`, computed in the filter worker process so
    # ingest and the full-text indexer here need not parse (delivery_pool); None: they do it.
    index: tuple[ingest.Facts, search.Terms] | None = None
    # sha256 of `raw`, computed in this process (delivery_pool.settle_index): the caches'
    # key and the blob's, so the copy is hashed once; None: the blob store hashes it.
    sha: str | None = None


@dataclass(frozen=True)
class Inputs:
    """What the decision needs from the store for one account (read in one transaction)."""

    account_id: int
    addresses: tuple[str, ...]
    script: str | None
    script_name: str
    others: dict[str, str]
    mailbox_names: frozenset[str]
    user_model: bytes | None
    allow: tuple[str, ...]
    block: tuple[str, ...]


def load_inputs(tx: Any, account_id: int, run_sieve: bool = True) -> Inputs:
    return read_inputs(tx, account_id, False, run_sieve)[1]


def read_inputs(tx: Any, account_id: int, with_global: bool, run_sieve: bool = True) -> tuple[bytes | None, Inputs]:
    """(global spam model when `with_global`, the account's Inputs). The spam state and
    the active script come in two prepared queries (store.ingest.delivery_state); the
    addresses, other scripts and folder names only when a script is active (they serve
    the Sieve run alone)."""
    found = ingest.delivery_state(tx, account_id, with_global)
    spam = (found.user_model, found.allow, found.block)
    if found.script is None or not run_sieve:
        return found.global_model, Inputs(account_id, (), None, "", {}, frozenset(), *spam)
    account = accounts.get_account_by_id(tx, account_id)
    own = [account.address] if account else []
    own += [i.address for i in accounts.list_identities(tx, account_id)]
    others = {s.name: s.content for s in store_sieve.list_scripts(tx, account_id)}
    names = frozenset(m.name.lower() for m in mailboxes.list_mailboxes(tx, account_id))
    return found.global_model, Inputs(account_id, tuple(own), found.script, found.script_name or "", others, names,
                                      *spam)


def spam_settings(settings: Any) -> tuple[bool, spamfilter.SpamSettings]:
    section = _section(settings, "spam")
    enabled = bool(section.get("enabled", True))
    values = {k: v for k, v in section.items() if k != "enabled"}
    # One scale: `spam.threshold` is the classifier's score (Bayes gives 0..10, rules add
    # points), the same number X-Spam-Status shows; 9.0 is SpamBayes' 0.90 cutoff.
    values["threshold"] = float(values.get("threshold", 9.0))
    return enabled, spamfilter.SpamSettings.from_mapping(values)


def max_hops(settings: Any) -> int:
    return int(_section(settings, "delivery").get("max_hops", MAX_HOPS))


def _section(settings: Any, name: str) -> dict[str, Any]:
    if settings is None:
        return {}
    try:
        sec = settings.section(name)
    except Exception:
        sec = getattr(settings, name, None)
    if sec is None:
        return {}
    if hasattr(sec, "items"):
        return dict(sec.items())
    return dict(getattr(sec, "__dict__", {}))


_AUTH_RESULT = re.compile(r"\b(spf|dkim|dmarc)=([a-z]+)", re.I)


def auth_results(raw: bytes) -> dict[str, str]:
    """SPF/DKIM/DMARC from the top Authentication-Results (ours: SMTP removed forged ones)."""
    head = raw[: raw.find(b"\r\n\r\n") if b"\r\n\r\n" in raw else 8192].decode("latin-1")
    m = re.search(r"^Authentication-Results:(.*(?:\r?\n[ \t].*)*)", head, re.I | re.M)
    found: dict[str, str] = {}
    for name, value in _AUTH_RESULT.findall(m.group(1) if m else ""):
        found.setdefault(name.lower(), value.lower())
    return found


def header_values(raw: bytes, name: str) -> list[str]:
    end = raw.find(b"\r\n\r\n")
    head = raw[: end if end >= 0 else len(raw)].decode("latin-1")
    pat = re.compile(rf"^{re.escape(name)}:(.*(?:\r?\n[ \t].*)*)", re.I | re.M)
    return [v.strip() for v in pat.findall(head)]


def is_loop(raw: bytes, address: str, max_hops: int = MAX_HOPS) -> str | None:
    """Why redirecting this message again would loop, or None. Each relay adds a
    Received field and each local redirect a Delivered-To, so both count as hops."""
    me = address.lower()
    for name in ("Delivered-To", "X-Loop"):
        if any(me in v.lower() for v in header_values(raw, name)):
            return f"{name} already names {address}"
    if len(header_values(raw, "Received")) + len(header_values(raw, "Delivered-To")) >= max_hops:
        return "too many hops"
    return None


class ScriptCache:
    """Compiled scripts by (account, text hash): compiling once per change, not per message."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, str], sieve.Script] = OrderedDict()

    def get(self, inputs: Inputs, limits: sieve.Limits) -> sieve.Script:
        text = inputs.script or ""
        digest = hashlib.sha256("\0".join([text, *sorted(f"{k}\0{v}" for k, v in inputs.others.items())])
                                .encode()).hexdigest()
        key = (inputs.account_id, digest)
        script = self._items.get(key)
        if script is None:
            def loader(name: str, location: str) -> str | None:
                return inputs.others.get(name) if location == "personal" else None

            script = sieve.compile(text, loader=loader, limits=limits, name=inputs.script_name)
            self._items[key] = script
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return script


def decide(
    recipient: Resolved,
    original_to: str,
    mail_from: str,
    raw: bytes,
    inputs: Inputs,
    *,
    global_model: bytes | None,
    spam_on: bool,
    spam_conf: spamfilter.SpamSettings,
    spam_hint: str | None,
    smtp_time: bool,
    limits: sieve.Limits,
    cache: ScriptCache,
    hostname: str,
    now: datetime | None = None,
    arrival: Arrival | None = None,
    max_hops: int = MAX_HOPS,
) -> Decision:
    """Pure CPU work (runs in a worker thread): classify, evaluate, translate."""
    now = now or datetime.now(UTC)
    verdict = None
    original = raw  # what a redirect passes on: the next recipient makes its own verdict
    if spam_on:
        context = spam_context(mail_from, original_to, raw, inputs, arrival)
        verdict = spamfilter.classify(
            raw, context=context, global_model=_model(global_model), user_model=_model(inputs.user_model),
            settings=spam_conf)
        raw = with_verdict(raw, b"".join(f"{k}: {v}\r\n".encode() for k, v in verdict.headers))
    is_spam = bool(verdict and verdict.is_spam) or spam_hint == "spam"
    default = Filing(special_use=JUNK) if is_spam else Filing()
    base = Decision(recipient, raw, (default,), verdict=verdict)
    if not inputs.script:
        return base
    try:
        script = cache.get(inputs, limits)
    except sieve.SieveSyntaxError as exc:  # stored before a rule change: keep, say why
        return Decision(recipient, raw, (default,), verdict=verdict, errors=(f"compile: {exc}",))
    names = inputs.mailbox_names
    message = sieve.MessageContext(
        raw, envelope_from=mail_from, envelope_to=original_to,
        spam_score=verdict.spamtest if verdict else None,
        spam_percent=verdict.spamtest_percent if verdict else None,
        mailbox_exists=lambda name: name.lower() in names or name.upper() == "INBOX", now=now)
    env = sieve.Environment(user_addresses=inputs.addresses)
    plan = sieve.evaluate(script, message, env=env, limits=limits)
    if plan.errors:
        return Decision(recipient, raw, (_flagged(default, plan.implicit_flags),), verdict=verdict,
                        errors=plan.errors)
    return _translate(plan, base, default, is_spam, mail_from, smtp_time, hostname, now, original, max_hops)


def spam_context(mail_from: str, original_to: str, raw: bytes, inputs: Inputs,
                 arrival: Arrival | None) -> spamfilter.SpamContext:
    """The classifier's view of the connection: from the Arrival when the receiving
    server gave one, else what our own Authentication-Results field says."""
    if arrival is None:
        results = auth_results(raw)
        arrival = Arrival(spf=results.get("spf"), dkim=results.get("dkim"), dmarc=results.get("dmarc"))
    return spamfilter.SpamContext(
        envelope_from=mail_from, recipients=(original_to,), client_ip=arrival.client_ip, helo=arrival.helo,
        spf=arrival.spf, dkim=arrival.dkim, dmarc=arrival.dmarc, allow=inputs.allow, block=inputs.block)


TOP_TRACE = (b"return-path:", b"delivered-to:")


def trace_end(raw: bytes) -> int:
    """Where the final-delivery trace lines on top end (Return-Path, Delivered-To)."""
    pos = 0
    while raw[pos:pos + 13].lower().startswith(TOP_TRACE):
        end = raw.find(b"\n", pos)
        if end < 0:
            break
        pos = end + 1
    return pos


def with_verdict(raw: bytes, lines: bytes) -> bytes:
    """Our X-Spam-* lines go on top, below the Return-Path and Delivered-To that final
    delivery puts first (RFC 5321 4.4: Return-Path is the topmost trace field)."""
    end = trace_end(raw)
    return raw[:end] + lines + raw[end:]


def without_return_path(raw: bytes) -> bytes:
    """A forwarded copy carries no Return-Path: the next final delivery adds its own."""
    if raw[:12].lower() == b"return-path:" and b"\n" in raw:
        return raw[raw.find(b"\n") + 1:]
    return raw


_models: OrderedDict[bytes, Any] = OrderedDict()  # digest of the stored bytes -> loaded model
_models_lock = threading.Lock()
MODEL_CACHE = 8
# id of a bytes object -> (that object, its model): the store hands out one object per
# model version, so identity hits skip hashing a megabyte (global and user model alike)
_by_identity: OrderedDict[int, tuple[bytes, Any]] = OrderedDict()


def _model(data: bytes | None) -> Any:
    """The loaded model, cached by content: loading decompresses and rebuilds a dict
    of every feature, far more work than classifying one message, and the stored bytes
    change only when someone trains. classify() only reads the model."""
    if not data:
        return None
    with _models_lock:
        same = _by_identity.get(id(data))
        if same is not None and same[0] is data:
            _by_identity.move_to_end(id(data))
            return same[1]
    key = hashlib.blake2b(data, digest_size=20).digest()
    with _models_lock:
        hit = _models.get(key)
        if hit is not None:
            _models.move_to_end(key)
            _remember(data, hit)
            return hit
    try:
        model = spamfilter.loads(data)
    except spamfilter.ModelFormatError:
        return None  # a damaged model must not stop delivery
    with _models_lock:
        _models[key] = model
        while len(_models) > MODEL_CACHE:
            _models.popitem(last=False)
        _remember(data, model)
    return model


def _remember(data: bytes, model: Any) -> None:
    """Under _models_lock: `data` (kept alive, so its id stays its own) loads as `model`."""
    _by_identity[id(data)] = (data, model)
    _by_identity.move_to_end(id(data))
    while len(_by_identity) > MODEL_CACHE:
        _by_identity.popitem(last=False)


def _flagged(filing: Filing, flags: frozenset[str]) -> Filing:
    return Filing(filing.mailbox, filing.special_use, filing.flags | flags, filing.create, filing.comment)


def _translate(plan: sieve.Plan, base: Decision, default: Filing, is_spam: bool, mail_from: str,
               smtp_time: bool, hostname: str, now: datetime, original: bytes,
               max_hops: int = MAX_HOPS) -> Decision:
    rcpt = base.recipient
    filings: list[Filing] = []
    sends: list[Send] = []
    comments: list[str] = []
    errors: list[str] = []
    reject: str | None = None
    keep_anyway = False
    for action in plan.effective_actions():
        if isinstance(action, sieve.Keep):
            filings.append(_flagged(default, action.flags))  # spam stays in Spam on keep
        elif isinstance(action, sieve.FileInto):
            filings.append(Filing(action.mailbox, None, action.flags, action.create))
        elif isinstance(action, sieve.Comment):
            comments.append(action.text)
        elif isinstance(action, sieve.Redirect):
            why = "spam is never forwarded" if is_spam else is_loop(base.raw, rcpt.address, max_hops)
            if why:
                errors.append(f"redirect to {action.address} skipped: {why}")
                keep_anyway = not action.copy
                continue
            copy = f"Delivered-To: {rcpt.address}\r\n".encode() + without_return_path(original)
            sends.append(Send(mail_from, action.address, copy, rcpt.account_id))
        elif isinstance(action, sieve.Vacation):
            if is_spam:
                continue  # issue 6: spam never triggers vacation
            headers = {k: (sieve.MessageContext(base.raw).headers(k) or [""])[0]
                       for k in ("subject", "message-id", "references")}
            reply = sieve.build_vacation_reply(action, headers, now=now, domain=hostname)
            sends.append(Send("", action.sender, reply, rcpt.account_id,
                              memory=sieve.vacation_key(action.handle, action.sender),
                              memory_seconds=action.seconds, kind="vacation"))
        elif isinstance(action, sieve.Reject):
            if smtp_time:
                reject = action.reason
            elif is_spam:
                keep_anyway = True  # no bounces to forged spam senders: file it in Spam
            elif mail_from:
                sends.append(Send("", mail_from, _refusal(rcpt.address, mail_from, action.reason, base.raw,
                                                          hostname, now), kind="bounce"))
        # Discard: nothing to do (RFC 5228 4.3)
    if keep_anyway and not filings:
        filings.append(default)
    if comments and filings:
        first = filings[0]
        filings[0] = Filing(first.mailbox, first.special_use, first.flags, first.create, "\n".join(comments))
    return Decision(rcpt, base.raw, tuple(filings), tuple(sends), reject, base.verdict, tuple(errors))


def _refusal(rcpt: str, sender: str, reason: str, raw: bytes, hostname: str, now: datetime) -> bytes:
    """RFC 5429 2.2: the refusal after the SMTP transaction, as a DSN (RFC 3464)."""
    from postvak.protocols.mime.headers import body_offset
    from postvak.protocols.smtp import DsnRecipient, OriginalEnvelope, build_dsn, parse_mailbox

    text = " ".join(reason.split())[:400] or "rejected by the recipient's filter"
    headers = raw[: body_offset(raw, 0, len(raw))]
    return build_dsn(hostname, OriginalEnvelope(parse_mailbox(sender, smtputf8=True)),
                     [DsnRecipient(rcpt, "failed", "5.7.1", f"550 5.7.1 {text}")], headers, date=now)


def dkim_word(results: Sequence[tuple[str, str]]) -> str | None:
    """One DKIM word for the classifier from (result, d=) per signature: any pass wins."""
    words = [r for r, _ in results]
    if not words:
        return "none"
    return "pass" if "pass" in words else words[0]
