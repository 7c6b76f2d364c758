"""The frozen data objects: properties, walking, and exact JSON round trips."""

from __future__ import annotations

import json

from postvak.protocols.mime import Address, BodyPart, Envelope

GROUP = (Address(None, None, "team", None), Address("A", None, "a", "x"), Address(None, None, None, None))


def test_address_properties() -> None:
    assert GROUP[0].is_group_start and not GROUP[0].is_group_end and GROUP[0].addr_spec == ""
    assert GROUP[2].is_group_end
    assert GROUP[1].addr_spec == "a@x" and Address(None, None, "local", "").addr_spec == "local"


def _rt_env(e: Envelope) -> Envelope:
    return Envelope.from_json(json.loads(json.dumps(e.to_json())))


def test_envelope_round_trip() -> None:
    a = (Address("N", "@r", "m", "h"),)
    for e in (
        Envelope(),
        Envelope("d", "s", a, a, a, GROUP, (), a, "<i>", "<m>"),
        Envelope(None, "", a, (), GROUP, (), (), (), None, None),  # sender differs from from
    ):
        assert _rt_env(e) == e
    assert Envelope(from_=a, sender=a).to_json()[3] is None  # compact: same as from


def test_body_round_trip_keeps_every_field() -> None:
    leaf = BodyPart(
        "application",
        "pdf",
        {"name": "x.pdf", "b": "2"},
        "<id>",
        "desc",
        "BASE64",
        10,
        None,
        "md5==",
        ("attachment", {"filename": "x.pdf"}),
        ("en", "nl"),
        "http://x/y",
        5,
        20,
        30,
    )
    empty_lang = BodyPart(language=(), disposition=("inline", {}), params={})
    inner = BodyPart(
        "text", "plain", {"charset": "us-ascii"}, lines=1, size=3, header_start=40, body_start=50, end=53
    )
    msg = BodyPart(
        "message", "rfc822", lines=4, envelope=Envelope(subject="s"), message=inner, body_start=40, end=53
    )
    top = BodyPart("multipart", "mixed", {"boundary": "b"}, children=(leaf, empty_lang, msg), end=60)
    again = BodyPart.from_json(json.loads(json.dumps(top.to_json())))
    assert again == top
    assert list(again.children[0].params) == ["name", "b"]  # parameter order survives
    assert [p.mime_type for p in top.walk()] == [
        "multipart/mixed",
        "application/pdf",
        "text/plain",
        "message/rfc822",
        "text/plain",
    ]


def test_filename_and_attachment() -> None:
    p = BodyPart("application", "octet-stream", {"name": "=?utf-8?q?caf=C3=A9.txt?="})
    assert p.filename == "café.txt" and p.is_attachment
    assert BodyPart("text", "plain").filename is None and not BodyPart("text", "plain").is_attachment
    assert BodyPart(disposition=("attachment", {})).is_attachment


def test_parts_are_hashable() -> None:
    a = BodyPart("text", "plain", {"charset": "x"}, end=3)
    assert {a: 1}[BodyPart("text", "plain", {"charset": "x"}, end=3)] == 1
