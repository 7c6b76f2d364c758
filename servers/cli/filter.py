"""`postvak filter list|show|enable|disable|move|delete|apply USER ...`: the rules a
user edits in Roundcube or Thunderbird, kept in the active Sieve script in the
managesieve rules layout (filters/sieve/rules.py). Rules are numbered from 1."""

from __future__ import annotations

import argparse
from typing import Any

from postvak.filters.sieve import rules as R
from postvak.servers.cli.context import CliContext
from postvak.servers.cli.errors import CliError
from postvak.servers.cli.sieve import account_id, check
from postvak.store import mailboxes, messages
from postvak.store import sieve as store_sieve
from postvak.store.types import Resolved

DEFAULT_SCRIPT = "filters"


def register(sub: Any) -> None:
    p = sub.add_parser("filter", help="a user's filter rules (the active Sieve script)")
    cmds = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    def cmd(name: str, helptext: str, run: Any, *extra: tuple[str, str]) -> None:
        c = cmds.add_parser(name, help=helptext)
        c.add_argument("user", metavar="USER")
        for arg, metavar in extra:
            c.add_argument(arg, metavar=metavar, type=int)
        c.set_defaults(run=run)

    cmd("list", "numbered rules with their state", list_rules)
    cmd("show", "one rule: conditions and actions", show_rule, ("number", "N"))
    cmd("enable", "enable rule N", enable_rule, ("number", "N"))
    cmd("disable", "disable rule N (kept, never matches)", disable_rule, ("number", "N"))
    cmd("move", "move rule N to position TO", move, ("number", "N"), ("to", "TO"))
    cmd("delete", "delete rule N", delete_rule, ("number", "N"))
    a = cmds.add_parser("apply", help="run the filters over the mail already in FOLDER")
    a.add_argument("user", metavar="USER")
    a.add_argument("--folder", metavar="F", default="INBOX")
    a.set_defaults(run=apply)


def _load(ctx: CliContext, user: str) -> tuple[int, str, list[R.Rule]]:
    acct = account_id(ctx, user)
    script = ctx.read(store_sieve.active_script, acct)
    if script is None:
        return acct, DEFAULT_SCRIPT, []
    try:
        return acct, script.name, R.parse_rules(script.content)
    except R.RuleFormatError as exc:
        raise CliError(f"script {script.name} is hand-written Sieve, edit it with `postvak sieve`: {exc}") from None


def _save(ctx: CliContext, acct: int, name: str, rules: list[R.Rule]) -> None:
    text = R.render_rules(rules)
    check(ctx, acct, name, text)
    ctx.write(store_sieve.put_script, acct, name, text)
    ctx.write(store_sieve.activate, acct, name)


def _index(rules: list[R.Rule], number: int) -> int:
    if not 1 <= number <= len(rules):
        raise CliError(f"no rule {number} (there are {len(rules)})")
    return number - 1


def list_rules(ctx: CliContext, args: argparse.Namespace) -> int:
    _, _, rules = _load(ctx, args.user)
    for i, r in enumerate(rules, 1):
        print(f"{i:3}  {'on ' if r.enabled else 'off'}  {r.name}")
    return 0


def show_rule(ctx: CliContext, args: argparse.Namespace) -> int:
    _, _, rules = _load(ctx, args.user)
    r = rules[_index(rules, args.number)]
    print(f"name:    {r.name}\nenabled: {'yes' if r.enabled else 'no'}\nmatch:   {r.match}")
    for c in r.conditions:
        print(f"if       {c.field} {c.op} {c.value!r}")
    for a in r.actions:
        print(f"then     {a.kind} {a.arg!r}" + (f" subject {a.subject!r}" if a.subject else ""))
    return 0


def _toggle(ctx: CliContext, args: argparse.Namespace, on: bool) -> int:
    acct, name, rules = _load(ctx, args.user)
    _save(ctx, acct, name, R.set_enabled(rules, _index(rules, args.number), on))
    print(f"rule {args.number} {'enabled' if on else 'disabled'}")
    return 0


def enable_rule(ctx: CliContext, args: argparse.Namespace) -> int:
    return _toggle(ctx, args, True)


def disable_rule(ctx: CliContext, args: argparse.Namespace) -> int:
    return _toggle(ctx, args, False)


def move(ctx: CliContext, args: argparse.Namespace) -> int:
    acct, name, rules = _load(ctx, args.user)
    _save(ctx, acct, name, R.move_rule(rules, _index(rules, args.number), _index(rules, args.to)))
    print(f"rule {args.number} is now rule {args.to}")
    return 0


def delete_rule(ctx: CliContext, args: argparse.Namespace) -> int:
    acct, name, rules = _load(ctx, args.user)
    gone = rules.pop(_index(rules, args.number))
    _save(ctx, acct, name, rules)
    print(f"deleted rule {args.number} ({gone.name})")
    return 0


def apply(ctx: CliContext, args: argparse.Namespace) -> int:
    """File existing mail as delivery would (folders, flags, discard -> Trash); no
    redirects, replies or refusals for old mail: those are for arrivals."""
    from postvak.filters import sieve as engine
    from postvak.servers.core import pipeline

    acct = account_id(ctx, args.user)
    inputs = ctx.read(pipeline.load_inputs, acct)
    if inputs.script is None:
        raise CliError(f"{args.user} has no active filters")
    box = ctx.read(mailboxes.get_mailbox, acct, args.folder)
    snap = ctx.read(messages.snapshot, box.id)
    cache, limits, moved = pipeline.ScriptCache(), engine.Limits(), 0
    for meta in snap.messages:
        with ctx.store.blobs.open(meta.blob_sha) as fh:
            raw = fh.read()
        rcpt = Resolved(acct, inputs.addresses[0] if inputs.addresses else args.user)
        d = pipeline.decide(rcpt, rcpt.address, "", raw, inputs, global_model=None, spam_on=False,
                            spam_conf=pipeline.spamfilter.SpamSettings(), spam_hint=None, smtp_time=False,
                            limits=limits, cache=cache, hostname="localhost")
        moved += ctx.write(_refile, acct, box.id, meta.uid, d.filings)
    print(f"filtered {len(snap.messages)} message(s) in {args.folder}; {moved} moved")
    return 0


def _refile(tx: Any, acct: int, box_id: int, uid: int, filings: tuple[Any, ...]) -> int:
    """Move the message where its first filing says (INBOX default: stays), add flags."""
    if not filings:
        target = mailboxes.get_special(tx, acct, "\\Trash")
        flags: frozenset[str] = frozenset()
    else:
        f = filings[0]
        flags = f.flags
        target = None
        if f.mailbox and f.mailbox.upper() != "INBOX":
            target = mailboxes.find_mailbox(tx, acct, f.mailbox)
            if target is None and f.create:
                target = mailboxes.create_mailbox(tx, acct, f.mailbox)
    if flags:
        messages.set_flags(tx, box_id, [uid], "add", flags, None)
    if target is None or target.id == box_id:
        return 0
    messages.move(tx, box_id, [uid], target.id)
    return 1
