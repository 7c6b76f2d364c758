"""Shared by the rules that compare domains: the registrable part of a host name, and free-mail providers.

Not a rule itself (it is not in RULES).
"""

from __future__ import annotations

# Second-level labels under which country registries sell names (example.co.uk, example.com.br).
_COUNTRY_SECOND_LEVEL = frozenset(("co", "com", "net", "org", "ac", "ne", "or", "gov", "edu", "go"))

# Webmail providers anyone can sign up with: a free-mail From on a sales pitch is a
# classic spam sign (SpamAssassin's FREEMAIL_FROM), a free-mail Reply-To more so.
FREEMAIL = frozenset((
    "aol.com", "bigfoot.com", "btamail.net.cn", "compuserve.com", "earthlink.net", "email.com",
    "eudoramail.com", "excite.com", "gmail.com", "gmx.de", "gmx.net", "hotmail.co.uk", "hotmail.com",
    "juno.com", "kolaymail.com", "latinmail.com", "lycos.com", "mail.com", "mail.ru", "msn.com",
    "netscape.net", "outlook.com", "rediffmail.com", "sina.com", "163.com", "usa.net", "yahoo.co.uk",
    "yahoo.com", "yahoo.fr", "yandex.ru",
))


def registrable(host: str) -> str:
    """www.shop.example.co.uk -> example.co.uk; good enough to tell organisations apart."""
    labels = [p for p in host.lower().strip(".").split(".") if p]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _COUNTRY_SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def is_freemail(domain: str) -> bool:
    return domain.lower() in FREEMAIL or registrable(domain) in FREEMAIL
