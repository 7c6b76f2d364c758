"""ManageSieve (RFC 5804) grammar, sans-IO: receiver, typed commands, responses.

RFC status: RFC 5804 complete for the command set of version 1.0 (AUTHENTICATE,
STARTTLS, LOGOUT, CAPABILITY, HAVESPACE, PUTSCRIPT, LISTSCRIPTS, SETACTIVE,
GETSCRIPT, DELETESCRIPT, RENAMESCRIPT, CHECKSCRIPT, NOOP, UNAUTHENTICATE).
"""

from postvak.protocols.managesieve.commands import (
    Authenticate,
    BadCommand,
    Capability,
    CheckScript,
    Command,
    DeleteScript,
    GetScript,
    HaveSpace,
    ListScripts,
    Logout,
    Noop,
    PutScript,
    RenameScript,
    SaslResponse,
    SetActive,
    StartTls,
    Unauthenticate,
)
from postvak.protocols.managesieve.receiver import SieveLimits, SieveReceiver
from postvak.protocols.managesieve.responses import (
    ACTIVE,
    ALREADYEXISTS,
    AUTH_TOO_WEAK,
    ENCRYPT_NEEDED,
    NONEXISTENT,
    QUOTA,
    QUOTA_MAXSCRIPTS,
    QUOTA_MAXSIZE,
    REFERRAL,
    SASL,
    TAG,
    TRANSITION_NEEDED,
    TRYLATER,
    WARNINGS,
    Code,
    bye,
    capability,
    getscript,
    listscripts,
    no,
    ok,
    sasl_challenge,
    sasl_done,
    string,
)

__all__ = [
    "ACTIVE", "ALREADYEXISTS", "AUTH_TOO_WEAK", "ENCRYPT_NEEDED", "NONEXISTENT", "QUOTA", "QUOTA_MAXSCRIPTS",
    "QUOTA_MAXSIZE", "REFERRAL", "SASL", "TAG", "TRANSITION_NEEDED", "TRYLATER", "WARNINGS",
    "Authenticate", "BadCommand", "Capability", "CheckScript", "Code", "Command", "DeleteScript",
    "GetScript", "HaveSpace", "ListScripts", "Logout", "Noop", "PutScript", "RenameScript", "SaslResponse",
    "SetActive", "SieveLimits", "SieveReceiver", "StartTls", "Unauthenticate",
    "bye", "capability", "getscript", "listscripts", "no", "ok", "sasl_challenge", "sasl_done", "string",
]
