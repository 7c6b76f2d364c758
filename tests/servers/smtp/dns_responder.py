"""A tiny authoritative DNS server on 127.0.0.1 (UDP, dnspython) for SPF, DKIM and
DMARC records in tests and the benchmark. Names not in the zone get NXDOMAIN."""

from __future__ import annotations

import socket
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset


def txt_value(text: str) -> str:
    """A TXT record text, split in 255-byte strings as DNS requires (RFC 1035 3.3.14)."""
    parts = [text[i:i + 255] for i in range(0, len(text), 255)] or [""]
    return " ".join('"' + p.replace('"', '\\"') + '"' for p in parts)


class DnsResponder:
    def __init__(self, records: dict[tuple[str, str], list[str]] | None = None) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}
        for (name, rtype), values in (records or {}).items():
            self.add(name, rtype, *values)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.queries = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="dns-responder", daemon=True)
        self._thread.start()

    def add(self, name: str, rtype: str, *values: str) -> None:
        """Record values in zone-file form; TXT values are plain text (quoted here)."""
        key = (name.lower().rstrip(".") + ".", rtype.upper())
        if rtype.upper() == "TXT":
            values = tuple(txt_value(v) for v in values)
        self.records.setdefault(key, []).extend(values)

    def _answer(self, wire: bytes) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if not query.question:
            return response.to_wire()
        q = query.question[0]
        name = q.name.to_text().lower()
        rtype = dns.rdatatype.to_text(q.rdtype)
        values = self.records.get((name, rtype))
        if values:
            response.answer.append(dns.rrset.from_text(q.name, 60, "IN", rtype, *values))
        elif not any(key[0] == name for key in self.records):
            response.set_rcode(dns.rcode.NXDOMAIN)
        return response.to_wire()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, addr = self.sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            self.queries += 1
            answer = self._answer(wire)
            if answer is not None:
                self.sock.sendto(answer, addr)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()
