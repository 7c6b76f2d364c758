"""Choosing and running the configured driver for a transport; mapping the driver's
answer to a queue status (sent, failed for good, or try again later)."""

from __future__ import annotations

import asyncio
import json
import shlex
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from postvak.servers.smtp.gateways.numbers import BadNumber, normalize_number
from postvak.servers.smtp.gateways.payload import fax_payload, sms_payload

EX_TEMPFAIL = 75  # sysexits.h: "try again later", as sendmail's delivery agents use it
_BUILDERS = {"sms": sms_payload, "fax": fax_payload}


@dataclass(frozen=True)
class GatewayResult:
    status: str  # "sent", "failed", "pending" (the queue's words)
    detail: str  # starts with an RFC 3463 enhanced code, like SMTP outcomes
    remote: str | None = None


@dataclass(frozen=True)
class DriverConfig:
    webhook: str = ""  # URL: POST the JSON payload
    command: tuple[str, ...] = ()  # argv: the JSON payload on stdin
    timeout: float = 60.0


class Gateways:
    def __init__(self, drivers: dict[str, DriverConfig]) -> None:
        self.drivers = drivers

    @classmethod
    def from_settings(cls, settings: Any) -> Gateways:
        o = settings.outbound
        timeout = float(getattr(o, "gateway_timeout", 60.0))

        def conf(prefix: str) -> DriverConfig:
            command = getattr(o, f"{prefix}_command", "") or ()
            argv = tuple(shlex.split(command)) if isinstance(command, str) else tuple(str(x) for x in command)
            return DriverConfig(str(getattr(o, f"{prefix}_webhook", "") or ""), argv, timeout)

        return cls({"sms": conf("sms"), "fax": conf("fax")})

    async def send(self, transport: str, sender: str, recipient: str, raw: bytes) -> GatewayResult:
        conf = self.drivers.get(transport)
        try:
            number = normalize_number(recipient)
        except BadNumber as exc:
            return GatewayResult("failed", f"5.1.3 {exc}")
        if conf is None or not (conf.webhook or conf.command):
            return GatewayResult("failed", f"5.3.3 no {transport.upper()} gateway is configured on this server")
        loop = asyncio.get_running_loop()
        payload = await loop.run_in_executor(None, _BUILDERS[transport], number, sender, raw)
        body = json.dumps(payload).encode("utf-8")
        if conf.webhook:
            return await loop.run_in_executor(None, post_webhook, conf.webhook, body, conf.timeout)
        return await run_command(conf.command, body, conf.timeout, number, transport)


def post_webhook(url: str, body: bytes, timeout: float) -> GatewayResult:
    """2xx: sent. 4xx: the gateway refuses this message (408/429: later). 5xx, no answer: later."""
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json", "User-Agent": "postvak"})
    host = urllib.parse.urlsplit(url).hostname
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - admin-configured URL
            return GatewayResult("sent", f"2.0.0 gateway answered {resp.status}", host)
    except urllib.error.HTTPError as exc:
        text = f"gateway answered {exc.code} {exc.reason}"
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            return GatewayResult("failed", f"5.3.0 {text}", host)
        return GatewayResult("pending", f"4.3.0 {text}", host)
    except (OSError, urllib.error.URLError) as exc:
        return GatewayResult("pending", f"4.4.1 gateway unreachable: {exc}", host)


async def run_command(argv: tuple[str, ...], body: bytes, timeout: float, number: str,
                      transport: str) -> GatewayResult:
    """Exit 0: sent; 75 (EX_TEMPFAIL): later; anything else: failed. The payload is on
    stdin; POSTVAK_TRANSPORT and POSTVAK_NUMBER are in the environment for simple scripts."""
    import os

    env = {**os.environ, "POSTVAK_TRANSPORT": transport, "POSTVAK_NUMBER": number}
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env)
    except OSError as exc:
        return GatewayResult("pending", f"4.3.0 cannot run gateway command {argv[0]!r}: {exc}")
    try:
        out, err = await asyncio.wait_for(proc.communicate(body), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return GatewayResult("pending", f"4.4.2 gateway command timed out after {timeout:g}s")
    said = (err or out).decode("utf-8", "replace").strip().splitlines()
    note = said[-1][:200] if said else ""
    if proc.returncode == 0:
        return GatewayResult("sent", f"2.0.0 gateway command done {note}".rstrip())
    if proc.returncode == EX_TEMPFAIL:
        return GatewayResult("pending", f"4.3.0 gateway command asked to retry {note}".rstrip())
    return GatewayResult("failed", f"5.3.0 gateway command failed ({proc.returncode}) {note}".rstrip())
