"""Capabilities this protocol layer can parse and format; the server picks what it advertises.

Each name is listed with the RFC that defines it. ``LOGINDISABLED`` and
``STARTTLS`` depend on the connection, ``APPENDLIMIT=`` on the limits: the
session adds those.
"""

from __future__ import annotations

from postvak.protocols.imap.limits import Limits

IMAP4REV1 = "IMAP4rev1"  # RFC 3501
IMAP4REV2 = "IMAP4rev2"  # RFC 9051

SUPPORTED: tuple[str, ...] = (
    IMAP4REV1,
    IMAP4REV2,
    "LITERAL+",  # RFC 7888
    "SASL-IR",  # RFC 4959
    "ENABLE",  # RFC 5161
    "IDLE",  # RFC 2177
    "NAMESPACE",  # RFC 2342
    "ID",  # RFC 2971
    "UIDPLUS",  # RFC 4315
    "UNSELECT",  # RFC 3691
    "CHILDREN",  # RFC 3348
    "MULTIAPPEND",  # RFC 3502
    "BINARY",  # RFC 3516
    "MOVE",  # RFC 6851
    "CONDSTORE",  # RFC 7162
    "QRESYNC",  # RFC 7162
    "ESEARCH",  # RFC 4731
    "SEARCHRES",  # RFC 5182
    "SORT",  # RFC 5256
    "SORT=DISPLAY",  # RFC 5957
    "ESORT",  # RFC 5267
    "THREAD=REFERENCES",  # RFC 5256
    "THREAD=ORDEREDSUBJECT",  # RFC 5256
    "WITHIN",  # RFC 5032
    "LIST-EXTENDED",  # RFC 5258
    "LIST-STATUS",  # RFC 5819
    "SPECIAL-USE",  # RFC 6154
    "CREATE-SPECIAL-USE",  # RFC 6154
    "STATUS=SIZE",  # RFC 8438
    "UTF8=ACCEPT",  # RFC 6855
    "QUOTA",  # RFC 9208
    "QUOTA=RES-STORAGE",  # RFC 9208
    "QUOTA=RES-MESSAGE",  # RFC 9208
    "PREVIEW",  # RFC 8970
    "METADATA",  # RFC 5464
)

# What ENABLE may turn on (RFC 5161 3.1): the session keeps the set per connection.
ENABLEABLE = frozenset({"CONDSTORE", "QRESYNC", "UTF8=ACCEPT", "IMAP4REV2"})


def advertised(limits: Limits, *, tls: bool, authenticated: bool, starttls_offered: bool = True) -> tuple[str, ...]:
    """A sensible default list for a connection state; the server may filter it further."""
    caps = list(SUPPORTED)
    if limits.literal_minus:
        caps[caps.index("LITERAL+")] = "LITERAL-"
    if not authenticated:
        caps = [c for c in caps if c in (IMAP4REV1, IMAP4REV2, "LITERAL+", "LITERAL-", "SASL-IR", "ENABLE", "ID")]
        if tls:
            caps.append("AUTH=PLAIN")
        else:
            caps.append("LOGINDISABLED")  # RFC 9051 6.2.3: no plaintext passwords without TLS
            if starttls_offered:
                caps.append("STARTTLS")
    else:
        caps.append(f"APPENDLIMIT={limits.literal_size}")  # RFC 7889
    return tuple(caps)
