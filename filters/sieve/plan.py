"""What a script decided: an ordered tuple of actions the delivery layer carries out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Keep:
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FileInto:
    mailbox: str
    flags: frozenset[str] = frozenset()
    create: bool = False  # RFC 5490 3.2: create the mailbox if it does not exist
    copy: bool = False  # RFC 3894: did not cancel the implicit keep


@dataclass(frozen=True)
class Redirect:
    address: str
    copy: bool = False


@dataclass(frozen=True)
class Reject:
    reason: str
    extended: bool = False  # ereject: refuse in the SMTP transaction when possible (RFC 5429 2.1)


@dataclass(frozen=True)
class Discard:
    pass


@dataclass(frozen=True)
class Vacation:
    """An auto-reply that qualified (RFC 5230 4.5/4.6, RFC 3834); the caller still
    checks its own "already replied to sender within `seconds`" memory with vacation_key()."""

    handle: str
    seconds: int
    subject: str | None
    from_: str | None
    addresses: tuple[str, ...]
    reason: str
    mime: bool
    recipient: str  # our address the reply is sent from (envelope recipient)
    sender: str  # who gets the reply (envelope from, RFC 5230 4.5)


@dataclass(frozen=True)
class Comment:
    """vnd.postvak.comment: a private note the delivery layer attaches to the message."""

    text: str


Action = Keep | FileInto | Redirect | Reject | Discard | Vacation | Comment


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...] = ()
    implicit_keep: bool = True
    # RFC 5232 3: the implicit keep stores the message with the internal flags.
    implicit_flags: frozenset[str] = frozenset()
    errors: tuple[str, ...] = ()
    log: tuple[str, ...] = field(default=())

    def effective_actions(self) -> tuple[Action, ...]:
        """The actions with the implicit keep spelled out as a final Keep."""
        if self.implicit_keep:
            return self.actions + (Keep(self.implicit_flags),)
        return self.actions
