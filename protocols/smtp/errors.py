"""The one error type of protocols/smtp: it carries the reply to send."""

from __future__ import annotations

from postvak.protocols.smtp.replies import Reply


class SmtpError(Exception):
    def __init__(self, reply: Reply, detail: str | None = None) -> None:
        self.reply = reply.with_text(detail) if detail else reply
        super().__init__(str(self.reply))
