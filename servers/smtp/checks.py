"""Sender authentication for inbound mail: SPF (RFC 7208, pyspf), DKIM (RFC 6376,
dkimpy), DMARC (RFC 7489, dmarc.py), reported in one Authentication-Results field
(RFC 8601, authres). Blocking DNS: `check_message` runs in a worker thread."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

import authres
import authres.dmarc
import dkim
import spf

from postvak.protocols import mime
from postvak.protocols.mime.envelope import first_values
from postvak.protocols.mime.headers import body_offset
from postvak.servers.smtp import dmarc
from postvak.servers.smtp.resolver import Dns, TempDnsError

log = logging.getLogger("postvak.smtp.checks")
MAX_DKIM_SIGNATURES = 5  # bound the work one message can cause
_FEATURES = authres.FeatureContext(authres.dmarc)
_DKIM_FIELD = re.compile(rb"(?im)^dkim-signature[ \t]*:")
_FROM = frozenset({"from"})


@dataclass(frozen=True)
class AuthVerdict:
    spf: str
    dkim: tuple[tuple[str, str], ...]  # (result, d=) per signature
    dmarc: dmarc.DmarcResult
    header_value: str  # the Authentication-Results value (without the field name)

    @property
    def action(self) -> str:
        """none / quarantine / reject, from the DMARC evaluation."""
        return self.dmarc.policy if self.dmarc.result == "fail" else "none"


def install_spf_resolver(resolver: Dns) -> None:
    # pyspf looks records up through a module-level function; point it at our resolver
    # (process-wide, which is what we want: one server, one DNS configuration).
    spf.DNSLookup = resolver.spf_lookup


def check_spf(ip: str, mail_from: str, helo: str, timeout: float, resolver: Dns | None = None) -> tuple[str, str]:
    """RFC 7208 2.4: with a null reverse-path, check postmaster@HELO instead. With the
    resolver pyspf looks up through, the result is reused for the same client, sender and
    HELO while every DNS answer it came from is still cached: it depends on nothing else
    (the macros of RFC 7208 7 expand from these three, the receiver's own name and DNS
    data), and pyspf's evaluation was 13 % of the SMTP server's CPU at 4 KB a message."""
    sender = mail_from or f"postmaster@{helo}"

    def evaluate() -> tuple[str, str]:
        try:
            result, explanation = spf.check2(i=ip, s=sender, h=helo, querytime=timeout)
        except Exception as exc:  # pyspf raises on odd input; a check must never break delivery
            return "temperror", str(exc)
        return str(result).lower(), str(explanation)

    if resolver is None:
        return evaluate()
    return resolver.derived(("spf", ip, sender, helo), evaluate, keep=lambda found: found[0] != "temperror")


def check_dkim(raw: bytes, resolver: Dns) -> list[tuple[str, str]]:
    if not _DKIM_FIELD.search(raw, 0, body_offset(raw, 0, len(raw))):
        return []  # unsigned (most mail): dkimpy would still parse the whole message
    try:
        verifier = dkim.DKIM(raw, minkey=1024, timeout=int(resolver.timeout))
        count = sum(1 for name, _ in verifier.headers if name.lower() == b"dkim-signature")
    except Exception:
        return [("permerror", "")]
    out: list[tuple[str, str]] = []
    for idx in range(min(count, MAX_DKIM_SIGNATURES)):
        try:
            ok = verifier.verify(idx=idx, dnsfunc=resolver.dkim_txt)
            result = "pass" if ok else "fail"
        except dkim.DnsTimeoutError:
            result = "temperror"
        except Exception:
            result = "permerror"
        domain = verifier.domain.decode("ascii", "replace") if isinstance(verifier.domain, bytes) else ""
        out.append((result, domain))
        verifier.domain = None
    return out


def from_domain(raw: bytes) -> str | None:
    """The single RFC5322.From domain DMARC needs (RFC 7489 6.6.1); None otherwise."""
    # The first From field's addresses, as parse_message's envelope has them, without
    # parsing the rest of the message (a whole parse was 4 % of the server's CPU at 100 KB).
    values = first_values(mime.parse_fields(raw[: body_offset(raw, 0, len(raw))]), _FROM)
    addrs = [a for a in mime.parse_addresses(values.get("from")) if a.host]
    if len(addrs) != 1:
        return None
    return addrs[0].host.lower() if addrs[0].host else None


def check_message(
    raw: bytes, *, ip: str, helo: str, mail_from: str, authserv_id: str, resolver: Dns
) -> AuthVerdict:
    spf_result, _ = check_spf(ip, mail_from, helo, resolver.timeout, resolver)
    dkim_results = check_dkim(raw, resolver)
    spf_domain = mail_from.rpartition("@")[2] if mail_from else helo
    domain = from_domain(raw)
    if domain is None:
        dm = dmarc.DmarcResult("none", "", reason="no single From domain")
    else:
        try:
            # The record depends on the From domain and DNS alone: kept while its answers are.
            record, at_org = resolver.derived(("dmarc", domain), lambda: dmarc.discover(domain, resolver.txt),
                                              keep=lambda _found: True)
            dm = dmarc.evaluate(domain, record, at_org, spf_result=spf_result, spf_domain=spf_domain,
                                dkim_pass_domains=[d for r, d in dkim_results if r == "pass"])
        except TempDnsError:
            dm = dmarc.DmarcResult("temperror", domain)
    header = _header(authserv_id, spf_result, mail_from, helo, tuple(dkim_results), dm)
    return AuthVerdict(spf_result, tuple(dkim_results), dm, header)


# A sender's next message gets the same field: authres builds and quotes it in about 60 us.
@functools.lru_cache(maxsize=4096)
def _header(authserv_id: str, spf_result: str, mail_from: str, helo: str,
            dkim_results: tuple[tuple[str, str], ...], dm: dmarc.DmarcResult) -> str:
    results: list[object] = []
    if mail_from:
        results.append(authres.SPFAuthenticationResult(result=spf_result, smtp_mailfrom=mail_from))
    else:
        results.append(authres.SPFAuthenticationResult(result=spf_result, smtp_helo=helo))
    if dkim_results:
        for result, d in dkim_results:
            results.append(authres.DKIMAuthenticationResult(result=result, header_d=d or None))
    else:
        results.append(authres.DKIMAuthenticationResult(result="none"))
    if dm.domain:
        results.append(authres.dmarc.DMARCAuthenticationResult(
            result=dm.result, header_from=dm.domain, policy=dm.policy if dm.result == "fail" else None))
    header = _FEATURES.header(authserv_id=authserv_id, results=results)
    text = str(header)
    return text.split(":", 1)[1].strip() if text.lower().startswith("authentication-results:") else text
