"""What each setting may hold. The type of a key is the type of its default in
defaults.toml (so a key added there is validated at once); this table adds ranges
and choices where a plain type is not enough."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    nonempty: bool = False


PORT = Rule(0, 65535)
NONNEG = Rule(0)
POSITIVE = Rule(1)

# Keys are "section.key"; "*" matches any one table name (listeners.*).
RULES: dict[str, Rule] = {
    "server.hostname": Rule(nonempty=True),
    "server.listen": Rule(nonempty=True),
    "server.port_offset": Rule(0, 65535),
    "store.url": Rule(nonempty=True),
    "store.blob_backend": Rule(choices=("files", "database")),
    "store.blob_inline_max": Rule(0, 16 * 1024 * 1024),
    "tls.min_version": Rule(choices=("TLSv1.2", "TLSv1.3")),
    "listeners.*.port": PORT,
    "listeners.*.tls": Rule(choices=("implicit", "starttls")),
    "auth.cache_ttl": NONNEG,
    "auth.cache_size": NONNEG,
    "auth.max_failures_per_ip": POSITIVE,
    "auth.failure_delay_base": NONNEG,
    "auth.failure_delay_max": NONNEG,
    # RFC 5321 4.5.3.1.4: a command line is at least 512 octets; RFC 9051 asks for 8192.
    "limits.line_length": Rule(512),
    "limits.message_size": Rule(1024),
    "limits.literal_size": Rule(1024),
    "limits.max_connections": POSITIVE,
    "limits.max_connections_per_ip": POSITIVE,
    "limits.commands_per_second_unauth": POSITIVE,
    "submission.max_messages_per_day": NONNEG,
    # RFC 5321 4.5.3.1.8: a server must accept at least 100 recipients.
    "submission.max_recipients_per_message": POSITIVE,
    "outbound.queue_lifetime": POSITIVE,
    "outbound.retry_schedule": Rule(1, nonempty=True),
    "outbound.delay_warning": NONNEG,
    "delivery.trash_retention_days": NONNEG,
    "delivery.spam_retention_days": NONNEG,
    "delivery.max_hops": POSITIVE,
    # RFC 9051 5.4: the autologout timer must be at least 30 minutes.
    "imap.idle_timeout": Rule(1800),
    "imap.login_timeout": POSITIVE,
    # RFC 1939 3: the autologout timer must be at least 10 minutes.
    "pop3.idle_timeout": Rule(600),
    # A score, not a probability: at least 1, so an old 0..1 value fails loudly.
    "spam.threshold": Rule(1, 100),
    "sieve.max_script_size": POSITIVE,
    "sieve.max_scripts": POSITIVE,
    "sieve.max_redirects": NONNEG,
    "activesync.heartbeat_min": POSITIVE,
    "activesync.heartbeat_max": POSITIVE,
    "log.level": Rule(choices=("debug", "info", "warning", "error")),
    "log.format": Rule(choices=("text", "json")),
}


def rule_for(path: tuple[str, ...]) -> Rule:
    exact = ".".join(path)
    if exact in RULES:
        return RULES[exact]
    if len(path) == 3:
        return RULES.get(f"{path[0]}.*.{path[2]}", Rule())
    return Rule()


def _bounds(rule: Rule, noun: str) -> str:
    if rule.minimum is not None and rule.maximum is not None:
        return f"{noun} between {_num(rule.minimum)} and {_num(rule.maximum)}"
    if rule.minimum is not None:
        return f"{noun} >= {_num(rule.minimum)}"
    if rule.maximum is not None:
        return f"{noun} <= {_num(rule.maximum)}"
    return noun


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _in_range(rule: Rule, value: float) -> bool:
    return (rule.minimum is None or value >= rule.minimum) and (rule.maximum is None or value <= rule.maximum)


def expected(default: Any, rule: Rule) -> str:
    """Human words for what a key accepts, e.g. "an integer >= 512"."""
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return _bounds(rule, "an integer")
    if isinstance(default, float):
        return _bounds(rule, "a number")
    if isinstance(default, str):
        if rule.choices:
            return "one of " + ", ".join(repr(c) for c in rule.choices)
        return "a non-empty string" if rule.nonempty else "a string"
    if isinstance(default, list):
        inner = default[0] if default else ""
        return "a non-empty list, each " + expected(inner, _item_rule(rule))
    return type(default).__name__


def _item_rule(rule: Rule) -> Rule:
    return Rule(rule.minimum, rule.maximum, rule.choices)


def _fits(value: Any, default: Any, rule: Rule) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool) and _in_range(rule, value)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and _in_range(rule, value)
    if isinstance(default, str):
        return isinstance(value, str) and (not rule.choices or value in rule.choices) and (
            not rule.nonempty or bool(value.strip()))
    if isinstance(default, list):
        inner = default[0] if default else ""
        return isinstance(value, (list, tuple)) and (not rule.nonempty or bool(value)) and all(
            _fits(item, inner, _item_rule(rule)) for item in value)
    return False


def check(path: tuple[str, ...], value: Any, default: Any) -> Any:
    """The value if it fits the default's type and the rule; ValueError(reason) if not."""
    rule = rule_for(path)
    if not _fits(value, default, rule):
        raise ValueError(f"expected {expected(default, rule)}, got {value!r}")
    if isinstance(default, float):
        return float(value)
    if isinstance(default, list):
        return tuple(value)  # settings are frozen: lists become tuples
    return value
