"""ManageSieve commands (RFC 5804 2.x). Each handler answers the client itself and
raises `SieveNo` for a NO; the store is reached only through `ctx.runner`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from postvak.filters import sieve as sieve_engine
from postvak.protocols import managesieve as ms
from postvak.protocols import sasl
from postvak.servers.managesieve.errors import SieveNo
from postvak.servers.managesieve.states import Authenticated, NotAuthenticated
from postvak.store import sieve as store_sieve
from postvak.store.errors import AlreadyExists, Conflict, NotFound

if TYPE_CHECKING:
    from postvak.servers.managesieve.session import SieveSession

IMPLEMENTATION = "Postvak ManageSieve"
MECHANISMS = ("PLAIN",)
EXTENSIONS = " ".join(sorted(sieve_engine.SUPPORTED))


def capabilities(s: SieveSession) -> bytes:
    """RFC 5804 1.7; SASL is empty while a password could only travel in clear."""
    authed = isinstance(s.state, Authenticated)
    return ms.capability(
        implementation=IMPLEMENTATION,
        sasl=MECHANISMS if s.plaintext_allowed() and not authed else (),
        sieve=EXTENSIONS.split(),
        starttls=s.config.starttls and not s.io.is_tls and not authed,
        maxredirects=s.config.max_redirects,
        owner=s.account().address if authed else None,
    )


# -- non-authenticated state -----------------------------------------------------------
async def handle_capability(s: SieveSession, cmd: ms.Capability) -> None:
    s.io.write(capabilities(s))


async def handle_starttls(s: SieveSession, cmd: ms.StartTls) -> None:
    if not s.config.starttls or s.io.is_tls:
        raise SieveNo("STARTTLS is not available")
    s.io.write(ms.ok("Begin TLS negotiation now"))
    s.reset_input()
    s.io.start_tls()
    # RFC 5804 2.2: after the handshake the server sends its capabilities again.
    s.io.write(capabilities(s))


async def handle_authenticate(s: SieveSession, cmd: ms.Authenticate) -> None:
    if not s.plaintext_allowed():
        raise SieveNo("authentication needs TLS: use STARTTLS", ms.ENCRYPT_NEEDED)
    if cmd.mechanism not in MECHANISMS:
        raise SieveNo(f"unsupported mechanism {cmd.mechanism}")
    await _step(s, sasl.start(cmd.mechanism, cmd.initial_response))


async def handle_sasl_response(s: SieveSession, cmd: ms.SaslResponse) -> None:
    state = s.state
    if not isinstance(state, NotAuthenticated) or state.sasl is None:
        raise SieveNo("no authentication in progress")
    s.state = NotAuthenticated()
    await _step(s, state.sasl.feed(cmd.data))


async def _step(s: SieveSession, step: sasl.Step) -> None:
    if isinstance(step, sasl.Challenge):
        s.state = NotAuthenticated(sasl=step)
        s.receiver.expect_sasl_response()
        s.io.write(ms.sasl_challenge(step.wire()))
    elif isinstance(step, sasl.Cancelled):
        raise SieveNo("authentication cancelled")  # RFC 5804 2.1
    elif isinstance(step, sasl.Credentials):
        if step.authzid and step.authzid.lower() != step.username.lower():
            # Only the owner edits its scripts: no acting as another user.
            raise SieveNo("acting as another user is not allowed", ms.AUTH_TOO_WEAK)
        await _login(s, step.username, step.password)
    else:
        raise SieveNo(f"authentication failed: {step.reason}")


async def _login(s: SieveSession, name: str, password: str) -> None:
    account = await s.ctx.auth.verify(name, password, s.io.peer.host)
    if account is None:
        s.failed_logins += 1
        s.log.info("managesieve.login_failed", user=name[:100], failures=s.failed_logins)
        if s.failed_logins >= s.config.max_failed_logins:
            raise SieveNo("too many failed logins", close=True)
        raise SieveNo("invalid user name or password")
    s.state = Authenticated(account)
    s.receiver.authenticated = True
    s.log.info("managesieve.login", account=account.address)
    s.io.write(ms.ok("Authenticated"))


async def handle_logout(s: SieveSession, cmd: ms.Logout) -> None:
    s.io.write(ms.ok("Logout completed"))  # RFC 5804 2.3: OK, then close
    s.close()


async def handle_noop(s: SieveSession, cmd: ms.Noop) -> None:
    # RFC 5804 2.13: a NOOP argument comes back in a TAG response code.
    s.io.write(ms.ok("Done", ms.Code(ms.TAG, cmd.tag) if cmd.tag is not None else None))


async def handle_unauthenticate(s: SieveSession, cmd: ms.Unauthenticate) -> None:
    s.state = NotAuthenticated()  # RFC 5804 2.14.1
    s.receiver.authenticated = False
    s.io.write(ms.ok())


# -- scripts ---------------------------------------------------------------------------
def _check_size(s: SieveSession, size: int) -> None:
    if size > s.config.max_script_size:
        raise SieveNo(f"script larger than {s.config.max_script_size} bytes", ms.QUOTA_MAXSIZE)


async def _check_count(s: SieveSession, name: str) -> None:
    scripts = await s.ctx.runner.read(store_sieve.list_scripts, s.account().id)
    if name not in {x.name for x in scripts} and len(scripts) >= s.config.max_scripts:
        raise SieveNo(f"at most {s.config.max_scripts} scripts", ms.QUOTA_MAXSCRIPTS)


async def _compile(s: SieveSession, raw: bytes, name: str = "") -> str:
    """The script text, compile-checked against the user's other scripts (include)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SieveNo("script is not UTF-8") from None
    others = {x.name: x.content for x in await s.ctx.runner.read(store_sieve.list_scripts, s.account().id)}

    def loader(target: str, location: str) -> str | None:
        return others.get(target) if location == "personal" else None

    limits = sieve_engine.Limits(max_script_size=s.config.max_script_size, max_redirects=s.config.max_redirects)
    try:
        await s.ctx.runner.offload(sieve_engine.compile, text, loader=loader, limits=limits, name=name)
    except sieve_engine.SieveSyntaxError as exc:
        raise SieveNo(str(exc)) from None  # RFC 5804 2.6: the reason, with its line
    return text


async def handle_havespace(s: SieveSession, cmd: ms.HaveSpace) -> None:
    _check_size(s, cmd.size)  # RFC 5804 2.5
    await _check_count(s, cmd.name)
    s.io.write(ms.ok())


async def handle_putscript(s: SieveSession, cmd: ms.PutScript) -> None:
    _check_size(s, len(cmd.script))
    await _check_count(s, cmd.name)
    text = await _compile(s, cmd.script, cmd.name)
    await s.ctx.runner.write(store_sieve.put_script, s.account().id, cmd.name, text)
    s.io.write(ms.ok())


async def handle_checkscript(s: SieveSession, cmd: ms.CheckScript) -> None:
    _check_size(s, len(cmd.script))
    await _compile(s, cmd.script)  # RFC 5804 2.12: check only, store nothing
    s.io.write(ms.ok())


async def handle_listscripts(s: SieveSession, cmd: ms.ListScripts) -> None:
    scripts = await s.ctx.runner.read(store_sieve.list_scripts, s.account().id)
    s.io.write(ms.listscripts((x.name, x.active) for x in scripts))


async def handle_setactive(s: SieveSession, cmd: ms.SetActive) -> None:
    try:
        await s.ctx.runner.write(store_sieve.activate, s.account().id, cmd.name or None)
    except NotFound:
        raise SieveNo(f"no script {cmd.name}", ms.NONEXISTENT) from None
    s.io.write(ms.ok())


async def handle_getscript(s: SieveSession, cmd: ms.GetScript) -> None:
    script = await _get(s, cmd.name)
    s.io.write(ms.getscript(script.content.encode("utf-8")))


async def handle_deletescript(s: SieveSession, cmd: ms.DeleteScript) -> None:
    try:
        await s.ctx.runner.write(store_sieve.delete_script, s.account().id, cmd.name)
    except NotFound:
        raise SieveNo(f"no script {cmd.name}", ms.NONEXISTENT) from None
    except Conflict:
        raise SieveNo("the active script cannot be deleted", ms.ACTIVE) from None  # RFC 5804 2.10
    s.io.write(ms.ok())


async def handle_renamescript(s: SieveSession, cmd: ms.RenameScript) -> None:
    try:
        await s.ctx.runner.write(store_sieve.rename_script, s.account().id, cmd.old, cmd.new)
    except NotFound:
        raise SieveNo(f"no script {cmd.old}", ms.NONEXISTENT) from None
    except AlreadyExists:
        raise SieveNo(f"script {cmd.new} exists", ms.ALREADYEXISTS) from None
    s.io.write(ms.ok())


async def _get(s: SieveSession, name: str) -> Any:
    try:
        return await s.ctx.runner.read(store_sieve.get_script, s.account().id, name)
    except NotFound:
        raise SieveNo(f"no script {name}", ms.NONEXISTENT) from None
