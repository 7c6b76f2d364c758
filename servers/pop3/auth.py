"""AUTHORIZATION state: USER/PASS (RFC 1939 7), AUTH PLAIN (RFC 5034), STLS
(RFC 2595 4), UTF8 (RFC 6856 2), CAPA (RFC 2449 5), then lock and snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from postvak.protocols import sasl
from postvak.protocols.pop3 import (
    AUTH,
    IN_USE,
    SYS_TEMP,
    Auth,
    AuthResponse,
    Capa,
    Pass,
    Stls,
    User,
    Utf8,
    capa,
    multiline,
    ok,
    sasl_challenge,
)
from postvak.servers.pop3 import lock, maildrop
from postvak.servers.pop3.errors import Pop3Error
from postvak.servers.pop3.states import Authorization, Transaction

if TYPE_CHECKING:
    from postvak.servers.pop3.session import Pop3Session

MECHANISMS = ("PLAIN",)


def _auth_state(s: Pop3Session) -> Authorization:
    assert isinstance(s.state, Authorization)
    return s.state


def _require_tls(s: Pop3Session) -> None:
    if not s.plaintext_allowed():
        # RFC 3206 5 / RFC 2595: the reason is ours, not the credentials'.
        raise Pop3Error("plaintext authentication needs TLS: use STLS or port 995", AUTH)


async def handle_capa(s: Pop3Session, cmd: Capa) -> None:
    before_login = isinstance(s.state, Authorization)
    login_ok = before_login and s.plaintext_allowed()
    s.io.write(capa(
        user=login_ok,
        sasl=MECHANISMS if login_ok else (),
        stls=before_login and s.config.stls and not s.io.is_tls,
        expire="NEVER",  # RFC 2449 6.7: we never expire mail on our own
        utf8=before_login,
    ))


async def handle_stls(s: Pop3Session, cmd: Stls) -> None:
    state = _auth_state(s)
    if not s.config.stls:
        raise Pop3Error("STLS is not offered on this port")
    if s.io.is_tls:
        raise Pop3Error("TLS is already active")
    if state.user is not None:
        raise Pop3Error("STLS must come before USER")
    s.io.write(ok("Begin TLS negotiation"))
    s.reset_input()
    s.io.start_tls()


async def handle_utf8(s: Pop3Session, cmd: Utf8) -> None:
    s.receiver.enable_utf8()
    s.io.write(ok("UTF8 enabled"))


async def handle_user(s: Pop3Session, cmd: User) -> None:
    _require_tls(s)
    s.state = Authorization(user=cmd.name)
    s.io.write(ok("send your password"))


async def handle_pass(s: Pop3Session, cmd: Pass) -> None:
    state = _auth_state(s)
    if state.user is None:
        raise Pop3Error("USER first")
    _require_tls(s)
    s.state = Authorization()  # RFC 1939 7: a failed PASS needs a new USER
    await login(s, state.user, cmd.password)


async def handle_auth(s: Pop3Session, cmd: Auth) -> None:
    if cmd.mechanism is None:
        # RFC 5034 4 leaves bare AUTH open; list what we offer, as many servers do.
        s.io.write(multiline("SASL mechanisms follow", MECHANISMS))
        return
    _require_tls(s)
    if cmd.mechanism not in MECHANISMS:
        raise Pop3Error(f"unsupported mechanism {cmd.mechanism}")
    await _step(s, sasl.start(cmd.mechanism, cmd.initial_response))


async def handle_auth_response(s: Pop3Session, cmd: AuthResponse) -> None:
    challenge = _auth_state(s).sasl
    if challenge is None:
        raise Pop3Error("no authentication in progress")
    s.state = Authorization()
    await _step(s, challenge.feed(cmd.line))


async def _step(s: Pop3Session, step: sasl.Step) -> None:
    if isinstance(step, sasl.Challenge):
        s.state = Authorization(sasl=step)
        s.receiver.expect_auth_response()
        s.io.write(sasl_challenge(step.wire()))
    elif isinstance(step, sasl.Cancelled):
        raise Pop3Error("authentication cancelled")  # RFC 5034 4
    elif isinstance(step, sasl.Credentials):
        if step.authzid and step.authzid.lower() != step.username.lower():
            raise Pop3Error("acting as another user is not supported", AUTH)
        await login(s, step.username, step.password)
    else:
        raise Pop3Error(f"authentication failed: {step.reason}", AUTH)


async def login(s: Pop3Session, name: str, password: str) -> None:
    """Verify, take the maildrop lock, snapshot INBOX, enter TRANSACTION (RFC 1939 7 PASS)."""
    account = await s.ctx.auth.verify(name, password, s.io.peer.host)
    if account is None:
        s.failed_logins += 1
        s.log.info("pop3.login_failed", user=name[:100], failures=s.failed_logins)
        too_many = s.failed_logins >= s.config.max_failed_logins
        raise Pop3Error("invalid user name or password" + ("; closing" if too_many else ""), AUTH, close=too_many)
    runner = s.ctx.runner
    s.lock_account = account.id  # set before the write: a cancelled wait must still release
    if not await runner.write(lock.acquire, account.id, s.lock_token, s.config.lock_ttl) or any(
        token != s.lock_token for token in await runner.read(lock.holders, account.id)
    ):
        await s.release_lock()
        raise Pop3Error("maildrop is in use by another POP3 session", IN_USE)
    try:
        drop = await runner.read(maildrop.load, account.id)
    except Exception:
        await s.release_lock()
        s.log.error("pop3.maildrop_failed", account=account.id, exc_info=True)
        raise Pop3Error("cannot open the maildrop", SYS_TEMP) from None
    s.start_lock_refresh(account.id)
    s.state = Transaction(drop, account.address)
    count, octets = drop.stat()
    s.log.info("pop3.login", account=account.address, messages=count)
    s.io.write(ok(f"maildrop has {count} messages ({octets} octets)"))
