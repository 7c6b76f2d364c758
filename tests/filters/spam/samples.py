"""Small hand-written messages shared by the spam filter tests."""

from __future__ import annotations


def message(
    subject: str = "Lunch on Friday",
    body: str = "Shall we meet at noon near the station? Bring the project notes.",
    *,
    sender: str = "Alice Example <alice@example.org>",
    to: str = "bob@example.net",
    extra: str = "",
    date: bool = True,
    message_id: bool = True,
    content_type: str = "text/plain; charset=utf-8",
) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}"]
    if date:
        lines.append("Date: Tue, 02 Jan 2024 10:00:00 +0000")
    if message_id:
        lines.append("Message-ID: <abc123@example.org>")
    lines.append("MIME-Version: 1.0")
    lines.append(f"Content-Type: {content_type}")
    if extra:
        lines.extend(extra.strip("\n").split("\n"))
    return ("\r\n".join(lines) + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n").encode("utf-8")


HAM_BODIES = [
    "Shall we meet at noon near the station? Bring the project notes for the review.",
    "The quarterly review notes are attached; please check the figures for the station project.",
    "Thanks for the meeting yesterday, the project timeline looks fine to me. See you at noon.",
    "Can you review my patch to the parser? The tests pass locally and the notes explain why.",
    "Reminder: the team lunch moved to Friday noon, same place near the station.",
    "I pushed the fix for the review comments; the parser now handles folded headers.",
]
SPAM_BODIES = [
    "CLICK HERE to claim your FREE prize! Cheap pills, viagra, casino bonus, act now!!!",
    "Make money fast from home! Guaranteed income, no risk, limited offer, click now!!!",
    "Lowest mortgage rates guaranteed! Refinance today and save thousands, click here now!",
    "Cheap replica watches and pills, free shipping, order now, limited time offer!!!",
    "You have WON a lottery prize! Send your bank details to claim the cash bonus now!!!",
    "Hot singles casino bonus free money click here, unsubscribe never, act now!!!",
]
