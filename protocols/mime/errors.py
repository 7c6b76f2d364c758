"""The one exception this package raises."""

from __future__ import annotations


class MimeError(ValueError):
    """Input that cannot be handled: not bytes, or an unknown transfer encoding.

    IMAP maps the unknown-encoding case of ``decode_part`` to ``[UNKNOWN-CTE]``
    (RFC 3516 4.3); parsing a message never raises it for any bytes input.
    """
