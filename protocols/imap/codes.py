"""Response codes (RFC 9051 7.1, RFC 5530 and the extension RFCs) as named constants.

``Code.render()`` gives the bracketed wire form. Codes with arguments are built
by the small functions below so a typo is a NameError, not a wrong reply.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from postvak.protocols.imap.seqset import compact


@dataclass(frozen=True)
class Code:
    name: str
    args: str = ""  # already in wire syntax

    def render(self) -> bytes:
        inner = f"{self.name} {self.args}" if self.args else self.name
        return b"[" + inner.encode("utf-8") + b"]"


# RFC 9051 7.1 and RFC 5530 (IMAP response codes): codes without arguments
ALERT = Code("ALERT")
ALREADYEXISTS = Code("ALREADYEXISTS")
AUTHENTICATIONFAILED = Code("AUTHENTICATIONFAILED")
AUTHORIZATIONFAILED = Code("AUTHORIZATIONFAILED")
CANNOT = Code("CANNOT")
CLIENTBUG = Code("CLIENTBUG")
CLOSED = Code("CLOSED")  # RFC 7162 3.2.11
CONTACTADMIN = Code("CONTACTADMIN")
CORRUPTION = Code("CORRUPTION")
EXPIRED = Code("EXPIRED")
EXPUNGEISSUED = Code("EXPUNGEISSUED")
HASCHILDREN = Code("HASCHILDREN")
INUSE = Code("INUSE")
LIMIT = Code("LIMIT")
NOMODSEQ = Code("NOMODSEQ")  # RFC 7162 3.1.2.2
NONEXISTENT = Code("NONEXISTENT")
NOPERM = Code("NOPERM")
NOTSAVED = Code("NOTSAVED")  # RFC 5182 2.1
OVERQUOTA = Code("OVERQUOTA")
PARSE = Code("PARSE")
PRIVACYREQUIRED = Code("PRIVACYREQUIRED")
READ_ONLY = Code("READ-ONLY")
READ_WRITE = Code("READ-WRITE")
SERVERBUG = Code("SERVERBUG")
TOOBIG = Code("TOOBIG")  # RFC 7888 4, RFC 4469 5
TRYCREATE = Code("TRYCREATE")
UIDNOTSTICKY = Code("UIDNOTSTICKY")  # RFC 4315 3
UNAVAILABLE = Code("UNAVAILABLE")
UNKNOWN_CTE = Code("UNKNOWN-CTE")  # RFC 3516 4.3
USEATTR = Code("USEATTR")  # RFC 6154 6


def capability(caps: Iterable[str]) -> Code:
    return Code("CAPABILITY", " ".join(caps))


def permanentflags(flags: Iterable[str]) -> Code:
    return Code("PERMANENTFLAGS", "(" + " ".join(flags) + ")")


def badcharset(charsets: Iterable[str] = ("UTF-8",)) -> Code:
    return Code("BADCHARSET", "(" + " ".join(charsets) + ")")


def uidnext(n: int) -> Code:
    return Code("UIDNEXT", str(n))


def uidvalidity(n: int) -> Code:
    return Code("UIDVALIDITY", str(n))


def unseen(n: int) -> Code:
    return Code("UNSEEN", str(n))


def highestmodseq(n: int) -> Code:
    return Code("HIGHESTMODSEQ", str(n))


def appenduid(uidvalidity: int, uids: Iterable[int]) -> Code:
    """RFC 4315 3: [APPENDUID v uid-set] (a set for MULTIAPPEND)."""
    return Code("APPENDUID", f"{uidvalidity} {compact(uids)}")


def copyuid(uidvalidity: int, source: Iterable[int], dest: Iterable[int]) -> Code:
    """RFC 4315 3: source and destination UIDs in matching order (not re-sorted)."""
    return Code("COPYUID", f"{uidvalidity} {_ordered(source)} {_ordered(dest)}")


def modified(numbers: Iterable[int]) -> Code:
    """RFC 7162 3.1.3: messages that failed UNCHANGEDSINCE."""
    return Code("MODIFIED", compact(numbers))


def appendlimit(n: int) -> Code:
    return Code("APPENDLIMIT", str(n))


def _ordered(numbers: Iterable[int]) -> str:
    # COPYUID pairs source and destination by position, so runs are only joined when ascending.
    out: list[list[int]] = []
    for n in numbers:
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in out)
