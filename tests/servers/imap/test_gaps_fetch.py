"""FETCH speed work: lean store reads, one write per chunk, the session's ENVELOPE cache,
the fast ENVELOPE encoder (equal to protocols/imap/bodystructure's), PREVIEW formatting."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.protocols import mime
from postvak.protocols.imap import bodystructure
from postvak.protocols.imap.fetch import Att, BodySection, Preview, Section
from postvak.servers.imap.commands.fetch import PREVIEW_MAX, envelope_bytes, needed_fields
from postvak.store import messages
from tests.servers.imap.harness import message

text = st.one_of(st.none(), st.text(max_size=40), st.text(alphabet='ab "\\\r\n\x00é', max_size=12),
                 st.text(alphabet="x", min_size=1020, max_size=1030))
address = st.builds(mime.Address, text, st.one_of(st.none(), st.just("@relay")), text, text)
addresses = st.lists(address, max_size=3).map(tuple)


@settings(max_examples=300, deadline=None)
@given(st.builds(mime.Envelope, date=text, subject=text, from_=addresses, sender=addresses, reply_to=addresses,
                 to=addresses, cc=addresses, bcc=addresses, in_reply_to=text, message_id=text), st.booleans())
def test_fast_envelope_is_byte_identical_to_the_protocol_formatter(env_, utf8) -> None:
    assert envelope_bytes(env_, utf8) == bodystructure.envelope(env_, utf8)


def test_needed_fields_flags_only_reads_no_json() -> None:
    assert needed_fields([Att("UID"), Att("FLAGS"), Att("MODSEQ")]) == frozenset()
    assert needed_fields([Att("ENVELOPE")]) == {"envelope"}
    assert needed_fields([Att("INTERNALDATE"), Att("RFC822.SIZE")]) == {"internal_date", "size"}
    assert needed_fields([BodySection(Section())]) == {"blob_sha", "size"}
    # top-level sections read the structure's offsets only; parts need the whole structure
    assert needed_fields([BodySection(Section((), "HEADER"))]) == {"offsets", "blob_sha", "size"}
    assert needed_fields([Att("RFC822.TEXT")]) == {"offsets", "blob_sha", "size"}
    assert needed_fields([BodySection(Section((1,), "MIME"))]) == {"body", "blob_sha", "size"}
    assert needed_fields([Att("BODYSTRUCTURE"), BodySection(Section((), "TEXT"))]) == {"body", "blob_sha", "size"}
    assert "preview" in needed_fields([Preview()])


def _break_json(env) -> None:
    """Make every stored envelope/body unreadable: any FETCH that decodes them fails."""
    db = sqlite3.connect(env.store.url.database)
    db.execute("UPDATE messages SET envelope = '{broken', body = '{broken'")
    db.commit()
    db.close()


def test_flags_only_fetch_does_not_touch_envelope_or_body_json(env) -> None:
    for s in "abc":
        env.deliver(message(s), flags=frozenset({"$Work"}) if s == "b" else frozenset())
    c = env.client()
    c.select()
    _break_json(env)
    r = c.cmd("FETCH 1:* (UID FLAGS MODSEQ INTERNALDATE RFC822.SIZE)")
    assert r.ok and len(r.untagged) == 3 and b"$Work" in r.untagged[1]
    assert c.cmd("FETCH 1 ENVELOPE").text.startswith("[SERVERBUG]")  # proof the JSON is really unreadable


def test_envelope_cache_serves_repeats_and_follows_utf8(env) -> None:
    env.deliver(message("caf\u00e9"))
    env.deliver(message("plain"))
    c = env.client()
    c.select()
    first = c.cmd("FETCH 1:* ENVELOPE").untagged
    assert b'"plain"' in first[1] and b"{5}\r\ncaf\xc3\xa9" in first[0]  # 8-bit text is a literal in rev1
    _break_json(env)
    assert c.cmd("FETCH 1:* ENVELOPE").untagged == first  # from the session's cache, no JSON read


def test_utf8_envelopes_are_quoted(env) -> None:
    env.deliver(message("caf\u00e9"))
    c = env.client()
    c.cmd("ENABLE UTF8=ACCEPT")
    c.select()
    assert b'"caf\xc3\xa9"' in c.cmd("FETCH 1 ENVELOPE").untagged[0]


def test_expunged_messages_leave_the_cache(env) -> None:
    for s in "ab":
        env.deliver(message(s))
    c = env.client()
    c.select()
    c.cmd("FETCH 1:* ENVELOPE")
    view = c.session.view
    assert (1, False) in view.envelopes
    c.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)")
    c.cmd("EXPUNGE")
    assert (1, False) not in view.envelopes and (2, False) in view.envelopes


def test_preview_is_capped_clean_and_computed_when_missing(env) -> None:
    env.deliver(message("long", body="word " * 200))
    env.deliver(message("short", body="hello there"))
    env.deliver(message("third", body="third body"))
    c = env.client()
    c.select()
    r = c.cmd("FETCH 1:3 (PREVIEW)")
    assert r.untagged[0].startswith(b'* 1 FETCH (PREVIEW "word word ') and len(r.untagged[0]) < PREVIEW_MAX + 30
    db = sqlite3.connect(env.store.url.database)
    db.execute("UPDATE messages SET preview = NULL WHERE uid = 2")
    db.execute("UPDATE messages SET preview = ? WHERE uid = 3", ("x" * 400 + "\r\n",))
    db.commit()
    db.close()
    c.select()
    r = c.cmd("FETCH 1:3 (UID PREVIEW)")
    assert [line.split(b" ")[1] for line in r.untagged] == [b"1", b"2", b"3"]  # order kept across paths
    assert b'PREVIEW "hello there"' in r.untagged[1]  # computed from the message
    third = r.untagged[2].split(b"PREVIEW ", 1)[1]
    assert third == b'"' + b"x" * PREVIEW_MAX + b'")'
    r = c.cmd("FETCH 2 (PREVIEW (LAZY))")
    assert b"PREVIEW NIL" in r.untagged[0]  # RFC 8970 3.1: LAZY may answer NIL when not computed


def test_fetch_1000_envelopes_every_message_once(env) -> None:
    # Speed is measured in bench/bench_imap.py ("FETCH 1:1000 (ENVELOPE)"), not here.
    mb = env.mailbox()

    def fill(tx):
        for i in range(1000):
            messages.ingest(tx, env.account.id, mb.id, message(
                f"subject number {i}", sender=f"user{i}@example.test", extra="Cc: Carol <carol@example.test>\r\n"))

    env.store.write(fill)
    c = env.client()
    for items in ("(ENVELOPE)", "(FLAGS)", "(ENVELOPE)"):  # the last one is served from the cache
        c.select()
        r = c.cmd("FETCH 1:1000 " + items)
        assert len(r.untagged) == 1000
        assert [int(line.split(b" ")[1]) for line in r.untagged] == list(range(1, 1001))
        if items == "(ENVELOPE)":
            assert b'"subject number 999"' in r.untagged[999]
            assert b'"Carol" NIL "carol" "example.test"' in r.untagged[0]


MULTIPART = (
    b"From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: parts\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
    b"preamble\r\n--XX\r\nContent-Type: text/plain\r\n\r\nfirst part\r\n"
    b"--XX\r\nContent-Type: text/html\r\n\r\n<p>second</p>\r\n--XX--\r\n"
)
SECTIONS = ["BODY.PEEK[HEADER]", "BODY.PEEK[TEXT]", "BODY.PEEK[HEADER.FIELDS (Subject To)]",
            "BODY.PEEK[HEADER.FIELDS.NOT (Subject)]", "BODY.PEEK[1]", "BODY.PEEK[2.MIME]",
            "BODY.PEEK[HEADER]<5.20>", "BODY.PEEK[TEXT]<0.4>", "RFC822.HEADER", "RFC822.TEXT", "BODY.PEEK[]"]


def _literals(line: bytes) -> list[bytes]:
    """The literal values of one FETCH response, in order."""
    out, pos = [], 0
    while (start := line.find(b"{", pos)) >= 0:
        end = line.index(b"}\r\n", start)
        n = int(line[start + 1 : end])
        out.append(line[end + 3 : end + 3 + n])
        pos = end + 3 + n
    return out


def test_top_level_sections_from_offsets_equal_the_structure_path(env) -> None:
    """BODY[HEADER] / [TEXT] / [HEADER.FIELDS] at the top level are cut with the stored offsets
    (no structure JSON decoded); each value equals mime.section_bytes on the parsed message,
    alone, all in one FETCH, and over the path that reads the blob per message."""
    env.deliver(MULTIPART)
    env.deliver(message("plain", body="just text"))
    parsed = [mime.parse_message(raw) for raw in (MULTIPART, message("plain", body="just text"))]
    raws = [MULTIPART, message("plain", body="just text")]
    expect = {
        "BODY.PEEK[HEADER]": lambda r, b: mime.section_bytes(r, b, (), "HEADER"),
        "BODY.PEEK[TEXT]": lambda r, b: mime.section_bytes(r, b, (), "TEXT"),
        "BODY.PEEK[HEADER.FIELDS (Subject To)]": lambda r, b: mime.section_bytes(r, b, (), "HEADER.FIELDS", ["Subject", "To"]),
        "BODY.PEEK[HEADER.FIELDS.NOT (Subject)]": lambda r, b: mime.section_bytes(r, b, (), "HEADER.FIELDS.NOT", ["Subject"]),
        "BODY.PEEK[1]": lambda r, b: mime.section_bytes(r, b, (1,), None),
        "BODY.PEEK[2.MIME]": lambda r, b: mime.section_bytes(r, b, (2,), "MIME"),
        "BODY.PEEK[HEADER]<5.20>": lambda r, b: mime.section_bytes(r, b, (), "HEADER")[5:25],
        "BODY.PEEK[TEXT]<0.4>": lambda r, b: mime.section_bytes(r, b, (), "TEXT")[:4],
        "RFC822.HEADER": lambda r, b: mime.section_bytes(r, b, (), "HEADER"),
        "RFC822.TEXT": lambda r, b: mime.section_bytes(r, b, (), "TEXT"),
        "BODY.PEEK[]": lambda r, b: r,
    }
    c = env.client()
    c.select()
    for item in SECTIONS:
        r = c.cmd(f"FETCH 1:2 ({item})")
        assert r.ok and len(r.untagged) == 2, item
        for line, raw, p in zip(r.untagged, raws, parsed, strict=True):
            assert _literals(line) == [expect[item](raw, p.body)], item
    together = c.cmd("FETCH 1:2 (UID " + " ".join(SECTIONS) + " FLAGS)")
    for line, raw, p in zip(together.untagged, raws, parsed, strict=True):
        assert _literals(line) == [expect[item](raw, p.body) for item in SECTIONS]
        assert line.startswith(b"* ") and line.endswith(b")") and b" FLAGS (\\Seen" in line  # RFC822.TEXT sets it
    assert b"BODY[HEADER]<5> {20}" in together.untagged[0]
    assert c.cmd("FETCH 1 (BODY.PEEK[HEADER] BODYSTRUCTURE)").untagged[0].count(b"{") == 1


def test_sections_of_a_message_stored_without_structure(env) -> None:
    """No body structure stored (body NULL): top-level HEADER/TEXT are empty as before, BODY[]
    is the whole message."""
    raw = message("bare", body="text")
    env.deliver(raw)
    db = sqlite3.connect(env.store.url.database)
    db.execute("UPDATE messages SET body = NULL")
    db.commit()
    db.close()
    c = env.client()
    c.select()
    line = c.cmd("FETCH 1 (BODY.PEEK[HEADER] BODY.PEEK[TEXT] BODY.PEEK[HEADER.FIELDS (Subject)] BODY.PEEK[])").untagged[0]
    assert _literals(line) == [b"", b"", b"", raw]
