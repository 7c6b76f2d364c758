"""CAPABILITY, STARTTLS, LOGIN, AUTHENTICATE, ID, ENABLE, NAMESPACE, NOOP, LOGOUT (RFC 9051 6.1-6.3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from postvak.protocols import sasl
from postvak.protocols.imap import codes
from postvak.protocols.imap import formatter as fmt
from postvak.protocols.imap import requests as rq
from postvak.protocols.imap.capabilities import ENABLEABLE, IMAP4REV1, IMAP4REV2
from postvak.servers.imap.errors import ANSWERED, Bad, Bye, No

if TYPE_CHECKING:
    from postvak.servers.imap.session import ImapSession

# What this server implements once logged in (CAPABILITY lists only what works).
AUTHENTICATED_CAPS = (
    IMAP4REV1, IMAP4REV2, "LITERAL+", "SASL-IR", "ENABLE", "IDLE", "NAMESPACE", "ID", "UIDPLUS", "UNSELECT",
    "CHILDREN", "MULTIAPPEND", "BINARY", "MOVE", "CONDSTORE", "QRESYNC", "ESEARCH", "SEARCHRES",
    "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "CREATE-SPECIAL-USE", "STATUS=SIZE", "UTF8=ACCEPT",
    "QUOTA", "QUOTA=RES-STORAGE", "PREVIEW",
)
PREAUTH_CAPS = (IMAP4REV1, IMAP4REV2, "LITERAL+", "SASL-IR", "ENABLE", "ID")


def _search_caps() -> tuple[str, ...]:
    """SORT/THREAD only when servers/imap/sort.py and thread.py provide them."""
    import importlib

    caps: list[str] = []
    for module, attr, names in (
        ("sort", "sort_uids", ("SORT", "SORT=DISPLAY", "ESORT")),
        ("thread", "thread_uids", ("THREAD=REFERENCES", "THREAD=ORDEREDSUBJECT")),
    ):
        try:
            if hasattr(importlib.import_module(f"postvak.servers.imap.{module}"), attr):
                caps += names
        except ImportError:
            continue
    return tuple(caps)


def capabilities(s: ImapSession) -> tuple[str, ...]:
    from postvak.servers.imap.session import NotAuthenticated

    if isinstance(s.state, NotAuthenticated):
        caps = list(PREAUTH_CAPS)
        if s.starttls_offered and not s.io.is_tls:
            caps.append("STARTTLS")
        if s.secure:
            caps.append("AUTH=PLAIN")
        else:
            caps.append("LOGINDISABLED")  # RFC 9051 6.2.3 / 7.2.2: no plaintext passwords in the clear
        return tuple(caps)
    return (*AUTHENTICATED_CAPS, *_search_caps(), f"APPENDLIMIT={s.auth_limits.literal_size}")


async def capability(s: ImapSession, tag: str, req: rq.Capability) -> None:
    s.write(fmt.capability(capabilities(s)))


async def noop(s: ImapSession, tag: str, req: Any) -> None:
    return None  # RFC 9051 6.1.2: pending updates go out in the dispatcher's sync


async def logout(s: ImapSession, tag: str, req: rq.Logout) -> None:
    from postvak.servers.imap.session import Logout

    s.write(fmt.untagged("BYE", "Postvak logging out"))
    s.release_mailbox()
    s.state = Logout()


async def starttls(s: ImapSession, tag: str, req: rq.StartTls) -> str | None:
    if s.io.is_tls or not s.starttls_offered:
        raise Bad("TLS is already active" if s.io.is_tls else "STARTTLS is not offered here")
    s.write(fmt.tagged(tag, "OK", "Begin TLS negotiation now"))
    s.discard_pipelined()  # RFC 9051 6.2.1: drop anything sent before the handshake
    s.io.start_tls()
    return ANSWERED


async def _verify(s: ImapSession, tag: str, username: str, password: str) -> tuple[str, codes.Code | None]:
    if not s.secure:
        raise No("plaintext authentication needs TLS (use STARTTLS)", codes.PRIVACYREQUIRED)
    account = await s.ctx.auth.verify(username, password, s.io.peer.host)
    if account is None:
        s.failed_logins += 1
        s.log.info("imap.login_failed", user=username[:100], failures=s.failed_logins)
        if s.failed_logins >= s.max_failed_logins:
            s.write(fmt.tagged(tag, "NO", "invalid credentials", codes.AUTHENTICATIONFAILED))
            raise Bye("too many failed logins")
        raise No("invalid credentials", codes.AUTHENTICATIONFAILED)
    s.logged_in(account)
    # RFC 9051 6.2.2: a CAPABILITY code in the OK saves the client a round trip.
    return "logged in", codes.capability(capabilities(s))


async def login(s: ImapSession, tag: str, req: rq.Login) -> tuple[str, codes.Code | None]:
    return await _verify(s, tag, req.username, req.password)


async def authenticate(s: ImapSession, tag: str, req: rq.Authenticate) -> tuple[str, codes.Code | None]:
    if req.mechanism.upper() != "PLAIN":
        raise No(f"mechanism {req.mechanism[:30]} is not supported", codes.CANNOT)
    if not s.secure:
        raise No("plaintext authentication needs TLS (use STARTTLS)", codes.PRIVACYREQUIRED)
    step = sasl.start("PLAIN", req.initial_response)
    while isinstance(step, sasl.Challenge):
        s.receiver.expect_line()
        s.write(fmt.continuation(step.wire()))
        line = await s.next_line()
        from postvak.protocols.imap import ContinuationLine

        if not isinstance(line, ContinuationLine):
            raise Bad("expected an authentication response")
        step = step.feed(line.data)
    if isinstance(step, sasl.Cancelled):
        raise Bad("authentication cancelled")  # RFC 9051 6.2.2: "*" cancels, answered BAD
    if isinstance(step, sasl.SaslError):
        raise Bad(step.reason)
    assert isinstance(step, sasl.Credentials)
    if step.authzid and step.authzid.lower() != step.username.lower():
        raise No("authorization as another user is not allowed", codes.AUTHORIZATIONFAILED)
    return await _verify(s, tag, step.username, step.password)


async def id_(s: ImapSession, tag: str, req: rq.Id) -> None:
    # RFC 2971 3.1: the server answers with its own identification.
    s.write(fmt.id_response([("name", "Postvak"), ("vendor", "Postvak")]))


async def enable(s: ImapSession, tag: str, req: rq.Enable) -> None:
    newly = []
    for cap in req.capabilities:
        name = cap.upper()
        if name in ENABLEABLE and name not in s.enabled:
            s.enabled.add(name)
            newly.append(cap)
            if name == "QRESYNC":
                s.enabled.add("CONDSTORE")  # RFC 7162 3.2.3: QRESYNC implies CONDSTORE
    if s.utf8:
        s.receiver.utf8 = True
    s.write(fmt.enabled(newly))


async def namespace(s: ImapSession, tag: str, req: rq.Namespace) -> None:
    # One personal namespace, "/" separated; no other users' or shared folders.
    s.write(fmt.namespace_response([("", "/")], None, None, s.utf8))
