"""Errors raised anywhere in a POP3 session and mapped once by the dispatcher."""

from __future__ import annotations


class Pop3Error(Exception):
    """Answered as ``-ERR [code] text``; ``close`` drops the connection afterwards."""

    def __init__(self, text: str, code: str | None = None, *, close: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.code = code
        self.close = close
