"""Debian mutt against `postvak serve` over IMAPS, without its screen: batch mode (-s, body on
stdin) sends through /bin/true and files the copy with IMAP APPEND into Sent (fcc), which
exercises mutt's TLS, LOGIN/AUTHENTICATE, capability handling and APPEND. The full-screen
reader needs a terminal and is not driven. Fails (not skips) without mutt when CI is set."""

from __future__ import annotations

import imaplib
import os
import subprocess
from pathlib import Path

from tests.support.tools import need_tool

USER, PASSWORD = "mutt@example.test", "mutt-secret-1"



def need(tool: str) -> str:
    return need_tool(tool, "mutt")


def test_mutt_files_its_copy_in_sent_over_imaps(mail_server, tmp_path: Path) -> None:
    mail_server.add_user(USER, PASSWORD)
    port = mail_server.port("imaps")
    rc = tmp_path / "muttrc"
    rc.write_text(f"""set folder="imaps://{USER}@127.0.0.1:{port}/"
set imap_user="{USER}"
set imap_pass="{PASSWORD}"
set certificate_file="{mail_server.cert_path()}"
set ssl_verify_host=no
set sendmail="/bin/true"
set use_from=yes
set from="{USER}"
set copy=yes
set record="=Sent"
set header_cache=""
set message_cachedir=""
""")
    env = {**os.environ, "HOME": str(tmp_path), "TERM": "dumb"}
    proc = subprocess.run([need("mutt"), "-n", "-F", str(rc), "-s", "mutt smoke", "bob@example.test"],
                          input="hello from mutt\n", capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    conn = imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=mail_server.client_tls_context(), timeout=30)
    try:
        conn.login(USER, PASSWORD)
        typ, _ = conn.select("Sent")
        assert typ == "OK"
        typ, data = conn.search(None, "SUBJECT", '"mutt smoke"')
        assert typ == "OK" and len(data[0].split()) == 1, data
        typ, data = conn.fetch(data[0].split()[0], "(BODY.PEEK[TEXT])")
        assert b"hello from mutt" in data[0][1]
    finally:
        conn.logout()
