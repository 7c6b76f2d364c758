"""FETCH items: sections, partials, BINARY, MODSEQ, CHANGEDSINCE/VANISHED, PREVIEW, streaming."""

from __future__ import annotations

import base64

from tests.servers.imap.harness import message

MULTI = (
    b"From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: parts\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
    b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nfirst part\r\n"
    b"--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    + base64.b64encode(b"\x00\x01binary\x02") + b"\r\n--XX--\r\n"
)


def test_sections_and_partials(env) -> None:
    env.deliver(MULTI)
    c = env.client()
    c.select()
    r = c.cmd("FETCH 1 (BODY.PEEK[1] BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[]<0.4> BODY.PEEK[2.MIME])")
    line = r.untagged[0]
    assert b"BODY[1] {10}\r\nfirst part" in line
    assert b"BODY[HEADER.FIELDS (Subject)] {18}\r\nSubject: parts\r\n\r\n" in line
    assert b"BODY[]<0> {4}\r\nFrom" in line
    assert b"BODY[2.MIME]" in line and b"Content-Transfer-Encoding: base64" in line
    assert b"\\Seen" not in line
    r = c.cmd("FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2])")
    assert b"BINARY[2] ~{9}\r\n\x00\x01binary\x02" in r.untagged[0]
    assert b"BINARY.SIZE[2] 9" in r.untagged[0]
    r = c.cmd("FETCH 1 (BODY[5])")
    assert b'BODY[5] {0}' in r.untagged[0] or b'BODY[5] ""' in r.untagged[0]


def test_envelope_bodystructure_internaldate_preview(env) -> None:
    env.deliver(MULTI)
    c = env.client()
    c.select()
    r = c.cmd("FETCH 1 (ENVELOPE BODYSTRUCTURE BODY INTERNALDATE RFC822.SIZE PREVIEW)")
    line = r.untagged[0]
    assert b'ENVELOPE (NIL "parts" (("Bob" NIL "bob" "example.test"))' in line
    assert b'BODYSTRUCTURE (("text" "plain" ("charset" "utf-8")' in line
    assert b'"mixed" ("boundary" "XX")' in line
    assert b"INTERNALDATE \"" in line and f"RFC822.SIZE {len(MULTI)}".encode() in line
    assert b"PREVIEW " in line


def test_non_peek_sets_seen_and_uid_fetch_includes_uid(env) -> None:
    env.deliver(message("a"))
    c = env.client()
    c.select()
    r = c.cmd("UID FETCH 1 (RFC822.HEADER)")
    assert b"UID 1" in r.untagged[0] and b"\\Seen" not in r.untagged[0]
    r = c.cmd("UID FETCH 1 (BODY[TEXT])")
    assert b"UID 1" in r.untagged[0] and b"FLAGS (\\Seen \\Recent)" in r.untagged[0]
    assert env.mailbox().unseen == 0


def test_modseq_and_changedsince_vanished(env) -> None:
    for s in "abc":
        env.deliver(message(s))
    c = env.client()
    c.cmd("ENABLE QRESYNC")
    c.select()
    base = env.mailbox().highestmodseq
    c.cmd("UID STORE 2 +FLAGS.SILENT (\\Flagged)")
    c.cmd("UID STORE 3 +FLAGS.SILENT (\\Deleted)")
    c.cmd("UID EXPUNGE 3")
    r = c.cmd(f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {base} VANISHED)")
    assert r.untagged[0] == b"* VANISHED (EARLIER) 3"
    fetches = r.find("FETCH")
    assert len(fetches) == 1 and b"UID 2" in fetches[0] and b"MODSEQ (" in fetches[0]
    assert c.cmd("FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)").status == "BAD"  # only UID FETCH


def test_large_body_is_streamed_in_chunks(env) -> None:
    big = message("big", body="x" * (1024 * 1024))
    env.deliver(big)
    c = env.client()
    c.select()
    r = c.cmd("FETCH 1 (BODY.PEEK[] BODY.PEEK[]<100.50>)", timeout=30)
    line = r.untagged[0]
    assert f"BODY[] {{{len(big)}}}\r\n".encode() + big in line
    assert b"BODY[]<100> {50}\r\n" + big[100:150] in line


def test_bad_sequence_numbers(env) -> None:
    env.deliver(message("a"))
    c = env.client()
    c.select()
    assert c.cmd("FETCH 5 FLAGS").status == "BAD"
    r = c.cmd("UID FETCH 5:9 FLAGS")
    assert r.ok and not r.untagged
    assert c.cmd("FETCH 1 (NOSUCH)").status == "BAD"
