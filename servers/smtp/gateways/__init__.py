"""Outbound transports for the `SMS` and `FAX` pseudo-domains: `32475123456@SMS`,
`322123456@FAX`. The outbound queue is the spool (the recipient's pseudo-domain is
its transport field), so retries, expiry and DSNs work as for mail; a driver hands
one message to one gateway: an HTTP webhook (POST JSON) or a local command.
"""

from __future__ import annotations

from postvak.servers.smtp.gateways.numbers import BadNumber, normalize_number, route
from postvak.servers.smtp.gateways.payload import fax_payload, sms_payload
from postvak.servers.smtp.gateways.transport import GatewayResult, Gateways

__all__ = ["BadNumber", "GatewayResult", "Gateways", "fax_payload", "normalize_number", "route", "sms_payload"]
