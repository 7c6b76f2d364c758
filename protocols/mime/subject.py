"""RFC 5256 2.1 base subject extraction, used by SORT SUBJECT and THREAD."""

from __future__ import annotations

import re

_WS = re.compile(r"[ \t\r\n]+")
# Step 2: subj-trailer = "(fwd)" / WSP, removed repeatedly from the end.
_TRAILER = re.compile(r"(?:[ \t]|\(fwd\))+\Z", re.I)
_BLOB = r"\[[^\[\]]*\][ \t]*"
# Step 3: subj-leader = (*subj-blob subj-refwd) / WSP;
# subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":".
_LEADER = re.compile(rf"(?:[ \t]+|(?:{_BLOB})*(?:re|fwd?)[ \t]*(?:{_BLOB})?:)", re.I)
_REFWD = re.compile(rf"(?:{_BLOB})*(?:re|fwd?)", re.I)
_BLOB_PREFIX = re.compile(_BLOB)
# Step 6: subj-fwd = "[fwd:" subj-base "]".
_FWD = re.compile(r"\[fwd:(.*)\]\Z", re.I | re.S)


# Longer subjects are cut first: the steps rescan the text and a hostile subject of
# nested "[fwd:" or "(fwd)" runs would cost quadratic time.
MAX_SUBJECT = 2048


def base_subject(subject: str) -> tuple[str, bool]:
    """(base subject, whether it was a reply or forward) of an RFC 2047-decoded subject."""
    s = _WS.sub(" ", subject[:MAX_SUBJECT])  # step 1
    is_reply = False
    while True:
        t = _TRAILER.search(s)  # step 2
        if t is not None:
            if "(" in t.group():
                is_reply = True
            s = s[: t.start()]
        while True:  # steps 3-5
            before = s
            while True:
                m = _LEADER.match(s)
                if m is None or not m.group():
                    break
                if _REFWD.match(m.group()):
                    is_reply = True
                s = s[m.end() :]
            # Step 4, one blob at a time while text remains. A leader cannot match after
            # a removed blob if it did not match before it, so all go in one pass.
            pos, last = 0, -1
            while (b := _BLOB_PREFIX.match(s, pos)) is not None:
                last, pos = pos, b.end()
            if last >= 0:
                s = s[pos:] if s[pos:].strip(" \t") else s[last:]
            if s == before:
                break
        f = _FWD.match(s)  # step 6
        if f is None:
            return s, is_reply
        s = f.group(1)
        is_reply = True
