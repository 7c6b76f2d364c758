"""SMTP grammar, sans-IO: named replies, envelope addresses, ESMTP parameters,
trace headers, DSNs and line-ending checks. The session itself runs on
aiosmtpd in servers/smtp; this package is what it calls for decisions.

RFC status: RFC 5321 (paths 4.1.2, replies 4.2, trace 4.4, limits 4.5.3),
RFC 3463/5248 enhanced codes, RFC 1870 SIZE, RFC 6152 8BITMIME, RFC 3030 BODY
only (CHUNKING is aiosmtpd's), RFC 6531 SMTPUTF8 (address syntax; no IDNA2008
tables), RFC 3461/3464 DSN, RFC 6533 (global DSN parts), RFC 3848 protocol
types, RFC 4954 AUTH= parameter.
"""

from postvak.protocols.smtp.address import (
    NullPath,
    Path,
    parse_mailbox,
    parse_path,
    relay_probe_reason,
    relay_safe_local_part,
    split_detail,
)
from postvak.protocols.smtp.dsn import DsnRecipient, OriginalEnvelope, build_dsn, should_send_dsn
from postvak.protocols.smtp.errors import SmtpError
from postvak.protocols.smtp.lineendings import LineEndingProblem, check_line_endings
from postvak.protocols.smtp.params import (
    Body,
    MailParams,
    Notify,
    RcptParams,
    Ret,
    decode_xtext,
    encode_xtext,
    parse_mail_params,
    parse_rcpt_params,
)
from postvak.protocols.smtp.received import TlsInfo, build_received, with_protocol
from postvak.protocols.smtp.replies import Reply, all_replies, multiline

__all__ = [
    "Body", "DsnRecipient", "LineEndingProblem", "MailParams", "Notify", "NullPath", "OriginalEnvelope",
    "Path", "RcptParams", "Reply", "Ret", "SmtpError", "TlsInfo",
    "all_replies", "build_dsn", "build_received", "check_line_endings", "decode_xtext", "encode_xtext",
    "multiline", "parse_mail_params", "parse_mailbox", "parse_path", "parse_rcpt_params",
    "relay_probe_reason", "relay_safe_local_part", "should_send_dsn", "split_detail", "with_protocol",
]
