"""Per-domain footer: appended to the body text (plain and HTML) with correct
re-encoding, attachments and signed messages untouched; the submission hook adds
the footer before the DKIM signature; `postvak footer` through the real command."""

from __future__ import annotations

import asyncio
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import dkim as dkimpy
from hypothesis import given, settings
from hypothesis import strategies as st

from postvak.servers.core import jobs
from postvak.servers.smtp import dkim, footer
from postvak.servers.smtp.footer import apply_footer
from tests.servers.smtp.dns_responder import DnsResponder
from tests.servers.smtp.test_outbound import World
from tests.support.server import run_cli

FOOTER = "Example BV — VAT BE0123.456.789\nThis mail is confidential."


def parse(raw: bytes) -> EmailMessage:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def text_of(part: EmailMessage) -> str:
    """Decoded text with LF line ends (the wire form is CRLF, RFC 5322 2.3)."""
    return str(part.get_content()).replace("\r\n", "\n")


def plain(text: str = "Hello,\nsee attached.\n", charset: str = "utf-8", cte: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = "alice@example.test"
    msg["Subject"] = "x"
    msg.set_content(text, charset=charset, cte=cte)
    return msg.as_bytes()


def test_plain_text_gets_footer_quoted_printable() -> None:
    out = apply_footer(plain(cte="7bit"), FOOTER)
    part = parse(out)
    assert text_of(part) == "Hello,\nsee attached.\n\n" + FOOTER + "\n"
    assert part["Content-Transfer-Encoding"] == "quoted-printable" and part.get_content_charset() == "utf-8"
    assert all(b < 0x80 for b in out) and max(len(line) for line in out.split(b"\r\n")) <= 78
    assert b"Subject: x\r\n" in out


def test_base64_stays_base64() -> None:
    out = parse(apply_footer(plain("Grüße\n", cte="base64"), FOOTER))
    assert out["Content-Transfer-Encoding"] == "base64" and text_of(out).endswith(FOOTER + "\n")


def test_charset_widened_when_footer_does_not_fit() -> None:
    out = parse(apply_footer(plain("caf\xe9\n", charset="iso-8859-1", cte="quoted-printable"), FOOTER))
    assert out.get_content_charset() == "utf-8"  # "—" is not in Latin-1
    assert text_of(out) == "caf\xe9\n\n" + FOOTER + "\n"
    kept = parse(apply_footer(plain("caf\xe9\n", charset="iso-8859-1", cte="quoted-printable"), "Merci"))
    assert kept.get_content_charset() == "iso-8859-1" and text_of(kept).endswith("Merci\n")


def test_alternative_both_parts_attachment_untouched() -> None:
    msg = EmailMessage()
    msg["From"] = "alice@example.test"
    msg.set_content("plain body\n")
    msg.add_alternative("<html><body><p>html body</p></body></html>\n", subtype="html")
    msg.add_attachment("attached text\n", filename="notes.txt")
    out = parse(apply_footer(msg.as_bytes(), FOOTER + " <b>&</b>"))
    alt, att = out.iter_parts()
    text, html_part = alt.iter_parts()
    assert text_of(text).endswith("<b>&</b>\n")
    body = text_of(html_part)
    assert '<div class="postvak-footer">Example BV' in body and "&lt;b&gt;&amp;&lt;/b&gt;</div>" in body
    assert body.index("postvak-footer") < body.index("</body>")
    assert text_of(att) == "attached text\n"


def test_signed_and_empty_are_unchanged() -> None:
    signed = (b"From: a@example.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/signed; "
              b'protocol="application/pgp-signature"; micalg=pgp-sha256; boundary="b"\r\n\r\n--b\r\n'
              b"Content-Type: text/plain\r\n\r\nsigned text\r\n--b\r\nContent-Type: application/pgp-signature"
              b"\r\n\r\nSIG\r\n--b--\r\n")
    assert apply_footer(signed, FOOTER) == signed
    assert apply_footer(plain(), "") == plain() and apply_footer(plain(), None) == plain()
    only_pdf = b"From: a@b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n"
    assert apply_footer(only_pdf, FOOTER) == only_pdf


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=200).filter(str.strip),
       st.text(st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_any_footer_round_trips(text: str, body: str) -> None:
    out = parse(apply_footer(plain(body or "x"), text))
    assert text_of(out).endswith(text.strip("\r\n").replace("\r\n", "\n") + "\n") or "\r" in text


def test_submission_hook_footer_then_dkim(tmp_path: Path) -> None:
    zone = DnsResponder()
    w = World(tmp_path, zone, 1)
    try:
        w.store.write(accounts_add_domain, "example.test")
        key = dkim.generate_key("example.test", "postvak")
        w.store.write(dkim.ensure_key, "example.test", "postvak", key)
        w.store.write(footer.set_footer, "example.test", FOOTER)
        zone.add(key.record_name, "TXT", key.record)
        w.ctx.loop = w.loop
        stop = jobs.outgoing_mail(w.ctx)
        w.run(asyncio.sleep(0.3))  # the first refresh loads keys and footers
        out = w.ctx.extras["dkim_sign"]("alice@example.test", plain())
        w.run(stop())
        assert out.startswith(b"DKIM-Signature:")
        assert text_of(parse(out)).endswith(FOOTER + "\n")
        from postvak.servers.smtp.resolver import Dns

        assert dkimpy.verify(out, dnsfunc=Dns(("127.0.0.1",), zone.port, 2.0).dkim_txt)
    finally:
        w.close()
        zone.close()


def accounts_add_domain(tx, name):  # type: ignore[no-untyped-def]
    from postvak.store import accounts

    return accounts.add_domain(tx, name)


def test_footer_cli(tmp_path: Path) -> None:
    run_cli(None, "init", str(tmp_path / "srv"), "--hostname", "mail.example.test")
    cfg = tmp_path / "srv" / "postvak.toml"
    run_cli(cfg, "domain", "add", "example.test")
    assert run_cli(cfg, "footer", "show", "example.test").stdout.strip() == "(no footer)"
    run_cli(cfg, "footer", "set", "example.test", input=FOOTER + "\n")
    assert run_cli(cfg, "footer", "show", "example.test").stdout.strip() == FOOTER
    run_cli(cfg, "footer", "clear", "example.test")
    assert run_cli(cfg, "footer", "show", "example.test").stdout.strip() == "(no footer)"
    proc = run_cli(cfg, "footer", "set", "nowhere.test", "x", check=False)
    assert proc.returncode == 1 and proc.stderr.strip() == "postvak: no such domain: nowhere.test"
