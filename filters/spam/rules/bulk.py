"""Headers left by bulk-mailing software that legitimate mail does not carry."""

from __future__ import annotations

import re

from ..message import ParsedMessage
from ..types import Hit, SpamContext, SpamSettings

# Header names only mass-mailing tools add (not X-BulkMail: list servers use it for legitimate lists).
BULK_HEADERS = ("x-mailer-version-bulk", "x-mass-mailer", "x-emailcast", "x-advertisement")
# X-Mailer values of known spam-sending programs.
BULK_MAILERS = re.compile(
    r"(?i)\b(?:group\s*mail|mass\s*mail|bulk\s*mail|dynamic\s*mail|send\s*safe|advanced\s*mass\s*sender|"
    r"worldmerge|mach5 mailer|super\s*mail|atomic\s*mail|e-?mail\s*blaster|stealth\s*mailer|floodgate|aureate)"
)


def check(msg: ParsedMessage, ctx: SpamContext, settings: SpamSettings) -> list[Hit]:
    hits = []
    present = [name for name, _ in msg.headers if name in BULK_HEADERS]
    if present:
        hits.append(Hit("BULK_HEADER", settings.points("BULK_HEADER", 1.0), f"{present[0]} header"))
    mailer = msg.header("x-mailer") or ""
    if BULK_MAILERS.search(mailer):
        hits.append(Hit("BULK_MAILER", settings.points("BULK_MAILER", 1.5), f"X-Mailer {mailer[:40]}"))
    return hits
