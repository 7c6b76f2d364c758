"""Server-side SASL mechanisms as small sans-IO state machines (RFC 4422).

Usage from any protocol server::

    step = start("PLAIN", initial_response)      # initial_response: base64 text or None
    while isinstance(step, Challenge):
        send(step.wire())                          # b"" -> "+ " / "" (protocol frames it)
        step = step.feed(read_line())              # client's base64 line, "*" cancels
    if isinstance(step, Credentials): verify(step.username, step.password)
    elif isinstance(step, Cancelled): ...          # RFC 4954 4 / RFC 5034 4: 501 / -ERR
    else: step is a SaslError                      # show step.reason

Nothing here raises: every outcome, including malformed input, is a returned step.
"""

from postvak.protocols.sasl.mechanisms import (
    MECHANISMS,
    Cancelled,
    Challenge,
    Credentials,
    SaslError,
    Step,
    decode_response,
    start,
)

__all__ = [
    "MECHANISMS",
    "Cancelled",
    "Challenge",
    "Credentials",
    "SaslError",
    "Step",
    "decode_response",
    "start",
]
